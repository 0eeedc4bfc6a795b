// The Bus contract: one suite, run against every implementation (memory.test.ts, nats.test.ts).
// Each test opens its own bus (NATS: its own random prefix, so its own streams) and closes it.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, Message } from './bus.js';
import type { ProbeJob, ProbeResult } from '../domain/types.js';
import { AppError } from '../errors.js';
import { uuidv7 } from '../util/uuid.js';

export interface BusFixture {
  bus: Bus;
  /** Removes what the bus left on its backend (NATS streams); called after bus.close(). */
  cleanup(): Promise<void>;
}

/** Collects delivered messages and lets a test await a condition on them, with a bound. */
export class Inbox<T = ProbeResult> {
  readonly items: Message<T>[] = [];
  private waiters: (() => void)[] = [];

  push(m: Message<T>): void {
    this.items.push(m);
    for (const w of this.waiters.splice(0)) w();
  }

  ids(): string[] {
    return this.items.map((m) => (m.data as { id: string }).id);
  }

  /** Resolves once `cond` holds; rejects after `timeoutMs` with what arrived so far. */
  async until(cond: (items: Message<T>[]) => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond(this.items)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; ${this.items.length} messages arrived`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.waiters.push(resolve);
      });
      clearTimeout(timer);
    }
  }

  count(n: number, timeoutMs?: number): Promise<void> {
    return this.until((items) => items.length >= n, timeoutMs);
  }
}

export function makeResult(targetId = 1, region = 'eu'): ProbeResult {
  const now = Date.now();
  return {
    id: uuidv7(now), target_id: targetId, region, ts: new Date(now).toISOString(), scheduled_at: new Date(now).toISOString(),
    ok: true, latency_ms: 12.5, status_code: 200, error_class: null, error_message: null,
    phases: { dns_ms: 1, connect_ms: 2, tls_ms: null, ttfb_ms: 8, transfer_ms: 1 }, tls_expires_at: null, tls_issuer: null,
  };
}

export const publishResults = (bus: Bus, n: number, targetId = 1): Promise<ProbeResult[]> =>
  Promise.all(Array.from({ length: n }, async () => {
    const r = makeResult(targetId);
    await bus.publish('results', `eu.${targetId}`, r);
    return r;
  }));

const tick = (ms: number) => new Promise<string>((r) => setTimeout(() => r('pending'), ms));

/** A promise with its resolve, for handlers a test holds open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

export function busContract(label: string, setup: (t: TestContext) => Promise<BusFixture | undefined>): void {
  const withBus = (name: string, fn: (bus: Bus) => Promise<void>) =>
    test(name, async (t) => {
      const f = await setup(t);
      if (!f) return;
      try {
        await fn(f.bus);
      } finally {
        await f.bus.close();
        await f.cleanup();
      }
    });

  describe(`Bus contract: ${label}`, { concurrency: true }, () => {
    withBus('every group gets every message', async (bus) => {
      const a = new Inbox();
      const b = new Inbox();
      await bus.consume('results', { group: 'a' }, async (m) => a.push(m));
      await bus.consume('results', { group: 'b', filter: '*.*' }, async (m) => b.push(m));
      const sent = await publishResults(bus, 50);
      await a.count(50);
      await b.count(50);
      const want = sent.map((r) => r.id).sort();
      assert.deepEqual(a.ids().sort(), want);
      assert.deepEqual(b.ids().sort(), want);
      assert.equal(a.items[0]?.subject.endsWith('.results.eu.1'), true);
      assert.equal(a.items[0]?.deliveries, 1);
    });

    withBus('members of one group share its messages, each message to one member', async (bus) => {
      const one = new Inbox();
      const two = new Inbox();
      const both = new Inbox();
      const member = (inbox: Inbox) => async (m: Message<ProbeResult>) => {
        await new Promise((r) => setTimeout(r, 2));
        inbox.push(m);
        both.push(m);
      };
      await bus.consume('results', { group: 'shared', concurrency: 4 }, member(one));
      await bus.consume('results', { group: 'shared', concurrency: 4 }, member(two));
      await publishResults(bus, 100);
      await both.count(100);
      assert.equal(new Set(both.ids()).size, 100, 'no message went to both members');
      assert.ok(one.items.length > 0 && two.items.length > 0, `split ${one.items.length}/${two.items.length}`);
    });

    withBus('a handler that throws gets the message again with deliveries 2', async (bus) => {
      const inbox = new Inbox();
      await bus.consume('results', { group: 'retry' }, async (m) => {
        inbox.push(m);
        if (m.deliveries === 1) throw new Error('store is down');
      });
      const [sent] = await publishResults(bus, 1);
      await inbox.count(2);
      assert.deepEqual(inbox.items.map((m) => m.deliveries), [1, 2]);
      assert.deepEqual(inbox.ids(), [sent!.id, sent!.id]);
    });

    withBus('a handler still running after ackWaitMs gets the message again', async (bus) => {
      const inbox = new Inbox();
      const held = gate();
      await bus.consume('results', { group: 'slow', ackWaitMs: 500 }, async (m) => {
        inbox.push(m);
        if (m.deliveries === 1) await held.promise;
      });
      const started = Date.now();
      await publishResults(bus, 1);
      await inbox.count(2);
      held.open();
      assert.equal(inbox.items[1]?.deliveries, 2);
      assert.ok(Date.now() - started >= 450, 'not before the ack wait');
    });

    withBus('with keepAlive a handler may run past ackWaitMs without a redelivery', async (bus) => {
      const inbox = new Inbox();
      await bus.consume('results', { group: 'kept', ackWaitMs: 500, keepAlive: true }, async (m) => {
        inbox.push(m);
        await new Promise((r) => setTimeout(r, 1800));
      });
      await publishResults(bus, 1);
      await inbox.count(1);
      await new Promise((r) => setTimeout(r, 2500));
      assert.deepEqual(inbox.items.map((m) => m.deliveries), [1]);
    });

    withBus('a durable group gets what was published while it had no member', async (bus) => {
      const first = new Inbox();
      const sub = await bus.consume('results', { group: 'durable' }, async (m) => first.push(m));
      await publishResults(bus, 1);
      await first.count(1);
      await sub.close();
      const missed = await publishResults(bus, 5);
      const again = new Inbox();
      await bus.consume('results', { group: 'durable' }, async (m) => again.push(m));
      await again.count(5);
      assert.deepEqual(again.ids().sort(), missed.map((r) => r.id).sort());
    });

    withBus('runs at most `concurrency` handlers at once per member', async (bus) => {
      const held = gate();
      let running = 0;
      let peak = 0;
      const started = new Inbox();
      const done = new Inbox();
      await bus.consume('results', { group: 'limited', concurrency: 3 }, async (m) => {
        peak = Math.max(peak, ++running);
        started.push(m);
        await held.promise;
        running--;
        done.push(m);
      });
      await publishResults(bus, 10);
      await started.count(3);
      assert.equal(await tick(200), 'pending');
      assert.equal(started.items.length, 3, 'no fourth handler while three run');
      held.open();
      await done.count(10);
      assert.equal(peak, 3);
    });

    withBus('an ephemeral consumer sees only messages published after it started', async (bus) => {
      // A durable group without members keeps the earlier message stored (NATS: interest).
      const keeper = await bus.consume('results', { group: 'keeper' }, async () => undefined);
      await keeper.close();
      const [before] = await publishResults(bus, 1);
      const live = new Inbox();
      // Ephemeral group names are labels (roles use the hostname): dots are accepted.
      const sub = await bus.consume('results', { group: 'live-host.example.com-42', ephemeral: true }, async (m) => live.push(m));
      const [after] = await publishResults(bus, 1);
      await live.count(1);
      assert.equal(live.ids()[0], after!.id);
      assert.notEqual(live.ids()[0], before!.id);
      await sub.close();
    });

    withBus('a message id published twice is delivered once', async (bus) => {
      const inbox = new Inbox();
      await bus.consume('results', { group: 'dedupe', concurrency: 1 }, async (m) => inbox.push(m));
      const twice = makeResult();
      await Promise.all([bus.publish('results', 'eu.1', twice), bus.publish('results', 'eu.1', { ...twice })]);
      await bus.publish('results', 'eu.1', { ...twice });
      const marker = makeResult();
      await bus.publish('results', 'eu.1', marker);
      await inbox.until((items) => items.some((m) => m.data.id === marker.id));
      assert.deepEqual(inbox.ids(), [twice.id, marker.id]);
    });

    withBus('close() waits for handlers in flight, and their acks count', async (bus) => {
      const held = gate();
      const events: string[] = [];
      const started = new Inbox();
      const sub = await bus.consume('results', { group: 'closing' }, async (m) => {
        started.push(m);
        await held.promise;
        events.push('handled');
      });
      await publishResults(bus, 1);
      await started.count(1);
      const closing = sub.close().then(() => events.push('closed'));
      assert.equal(await Promise.race([closing.then(() => 'closed'), tick(100)]), 'pending');
      held.open();
      await closing;
      assert.deepEqual(events, ['handled', 'closed']);
      const [marker] = await publishResults(bus, 1);
      const again = new Inbox();
      await bus.consume('results', { group: 'closing' }, async (m) => again.push(m));
      await again.count(1);
      assert.equal(again.ids()[0], marker!.id, 'the acked message is not redelivered');
    });

    withBus('filters select keys below the topic', async (bus) => {
      const eu = new Inbox<ProbeJob>();
      await bus.consume('jobs', { group: 'probers-eu', filter: 'eu' }, async (m) => eu.push(m));
      await bus.consume('jobs', { group: 'probers-us', filter: 'us' }, async () => undefined);
      const job = (region: string) => ({
        id: uuidv7(), region, scheduled_at: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString(),
        target: { id: 1, url: 'http://127.0.0.1/', type: 'http', timeout_ms: 1000, options: {} },
      });
      const mine = job('eu');
      await bus.publish('jobs', 'us', job('us'));
      await bus.publish('jobs', 'eu', mine);
      await eu.count(1);
      assert.deepEqual(eu.ids(), [mine.id]);
    });

    withBus('rejects bad keys and options with a validation error naming the field', async (bus) => {
      const isValidation = (field: string) => (e: unknown) => e instanceof AppError && e.code === 'validation' && e.field === field;
      await assert.rejects(bus.publish('results', 'eu.*', makeResult()), isValidation('key'));
      await assert.rejects(bus.publish('results', 'eu..1', makeResult()), isValidation('key'));
      await assert.rejects(bus.consume('results', { group: 'has.dot' }, async () => undefined), isValidation('group'));
      await assert.rejects(bus.consume('results', { group: 'g', concurrency: 0 }, async () => undefined), isValidation('concurrency'));
      await assert.rejects(bus.consume('results', { group: 'g', filter: 'eu.' }, async () => undefined), isValidation('filter'));
      await assert.rejects(bus.publish('nope' as 'results', 'eu.1', makeResult()), isValidation('topic'));
    });

    withBus('ping() answers while open and fails once closed', async (bus) => {
      await bus.ping();
      await bus.close();
      await assert.rejects(bus.ping(), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
      await assert.rejects(bus.publish('results', 'eu.1', makeResult()), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
    });
  });
}

