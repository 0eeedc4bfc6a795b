// What the notifier accepts on the `incidents` topic: the anomaly role's transitions, events in the
// channels' own shape (split per incident), and nothing malformed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACKED, BURST } from '../../../test/helpers/channel-contract.js';
import { transitionOf } from '../../../test/helpers/notify.js';
import { AppError } from '../../errors.js';
import { eventOf, parseIncomingMessage } from './incoming.js';

const target = { id: 7, name: 'Checkout API', url: 'https://shop.example.test/health' };

test('an anomaly-role transition becomes one transition with the target joined in', () => {
  const t = transitionOf(target, 'acknowledged', { incidentId: 'inc-1' });
  const [got, ...rest] = parseIncomingMessage(t);
  assert.equal(rest.length, 0);
  assert.equal(got?.eventId, t.id);
  assert.equal(got?.transition, 'acknowledged');
  assert.equal(got?.acknowledgedBy, 'ana');
  assert.deepEqual(
    { id: got?.incident.id, target_id: got?.incident.target_id, target_name: got?.incident.target_name, target_url: got?.incident.target_url },
    { id: 'inc-1', target_id: 7, target_name: 'Checkout API', target_url: target.url },
  );
  const e = eventOf(got!);
  assert.equal(e.kind === 'acknowledged' && e.acknowledged_by, 'ana');
  assert.equal(e.id, t.id);
});

test('an IncidentEvent is accepted too, a grouped one split per incident', () => {
  assert.equal(parseIncomingMessage(ACKED)[0]?.eventId, ACKED.id);
  const split = parseIncomingMessage(BURST);
  assert.deepEqual(split.map((s) => s.eventId), ['evt-burst-1:inc-b1', 'evt-burst-1:inc-b2', 'evt-burst-1:inc-b3']);
});

test('malformed messages are rejected naming the field', () => {
  const t = transitionOf(target, 'opened');
  const cases: Array<[unknown, string]> = [
    ['nope', '(message)'],
    [{ ...t, transition: 'exploded' }, 'transition'],
    [{ ...t, target: { ...t.target, id: '7' } }, 'target.id'],
    [{ ...t, incident: { ...t.incident, started_at: 'yesterday' } }, 'incident.started_at'],
    [{ ...BURST, kind: 'reminder' }, 'kind'],
  ];
  for (const [msg, field] of cases) {
    assert.throws(() => parseIncomingMessage(msg), (e: unknown) => e instanceof AppError && e.field === field, field);
  }
});
