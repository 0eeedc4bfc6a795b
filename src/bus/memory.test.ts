import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busContract, Inbox, publishResults } from './bus.contract.js';
import { MemoryBus } from './memory.js';
import { openBus } from './open.js';

busContract('memory', async () => ({ bus: new MemoryBus(), cleanup: async () => undefined }));

test('openBus without a NATS URL gives the in-process bus', async () => {
  const bus = await openBus({ prefix: 'iso' });
  assert.equal(bus.kind, 'memory');
  await bus.close();
});

test('the memory bus hands every group the same frozen object', async () => {
  const bus = new MemoryBus();
  const a = new Inbox();
  const b = new Inbox();
  await bus.consume('results', { group: 'a' }, async (m) => a.push(m));
  await bus.consume('results', { group: 'b' }, async (m) => b.push(m));
  await publishResults(bus, 1);
  await a.count(1);
  await b.count(1);
  assert.equal(a.items[0]!.data, b.items[0]!.data);
  assert.ok(Object.isFrozen(a.items[0]!.data));
  await bus.close();
});

test('the memory bus drops the oldest queued messages beyond maxPendingPerGroup', async () => {
  const bus = new MemoryBus({ maxPendingPerGroup: 10 });
  const sub = await bus.consume('results', { group: 'slow' }, async () => undefined);
  await sub.close();
  await publishResults(bus, 15);
  assert.equal(bus.pending('results', 'slow'), 10);
  const inbox = new Inbox();
  await bus.consume('results', { group: 'slow' }, async (m) => inbox.push(m));
  await inbox.count(10);
  assert.equal(bus.pending('results', 'slow'), 0);
  await bus.close();
});
