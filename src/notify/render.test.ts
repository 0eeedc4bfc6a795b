import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACKED, BURST, DASHBOARD, INCIDENT, OPENED, RESOLVED } from '../../test/helpers/channel-contract.js';
import { AppError } from '../errors.js';
import { buildTestEvent, parseIncidentEvent, type IncidentEvent } from './event.js';
import { formatDuration, formatTime } from './format.js';
import { buildNotification, messageText, renderMessage, splitNotification } from './render.js';

const field = (m: ReturnType<typeof renderMessage>, name: string) => m.fields.find((f) => f.name === name)?.value;

test('an opened incident renders title, target, kind, regions, since when, evidence and the incident link', () => {
  const m = renderMessage(OPENED, { dashboardUrl: `${DASHBOARD}/` });
  assert.equal(m.title, 'Latency anomaly: Checkout API');
  assert.equal(m.severity, 'warning');
  assert.equal(m.color, '#F79009');
  assert.equal(field(m, 'Target'), 'Checkout API');
  assert.equal(field(m, 'URL'), 'https://shop.example.com/api/health');
  assert.equal(field(m, 'Kind'), 'Latency anomaly');
  assert.equal(field(m, 'Regions'), 'eu-west, us-east');
  assert.equal(field(m, 'Since'), '2024-05-01 12:03:00 UTC (2m)');
  assert.deepEqual(m.lines, ['p95 latency 850 ms, 7x the usual', 'Observed: p95_ms 850', 'Baseline: p95_ms 120', 'Anomaly score: 0.97']);
  assert.deepEqual(m.link, { label: 'Open incident in PulseGuard', url: 'https://pulse.example.com/ui/incidents/inc-0042' });
  assert.equal(m.at, OPENED.at);
});

test('an outage is critical and red; without a dashboard URL there is no link', () => {
  const down: IncidentEvent = { ...OPENED, incidents: [{ ...INCIDENT, kind: 'down', regions: ['eu-west'] }] };
  const m = renderMessage(down);
  assert.equal(m.title, 'Down: Checkout API');
  assert.equal(m.severity, 'critical');
  assert.equal(m.emoji, '🔴');
  assert.equal(field(m, 'Region'), 'eu-west');
  assert.equal(m.link, undefined);
});

test('a resolution says how long it lasted and is green; an acknowledgement names who', () => {
  const r = renderMessage(RESOLVED);
  assert.equal(r.title, 'Resolved: Checkout API (latency anomaly for 12m 30s)');
  assert.equal(r.severity, 'ok');
  assert.equal(r.color, '#12B76A');
  assert.equal(field(r, 'Duration'), '12m 30s');
  assert.equal(field(r, 'Resolved'), '2024-05-01 12:15:30 UTC');
  const a = renderMessage(ACKED);
  assert.equal(a.title, 'Acknowledged: Checkout API (latency anomaly)');
  assert.equal(a.severity, 'info');
  assert.equal(field(a, 'Acknowledged by'), 'ana');
  const rem = renderMessage({ ...OPENED, kind: 'reminder', at: '2024-05-01T14:03:00.000Z' });
  assert.equal(rem.title, 'Still open: Checkout API (latency anomaly for 2h)');
});

test('a grouped burst lists its incidents, counts the rest and links to the incident list', () => {
  const m = renderMessage(BURST, { dashboardUrl: DASHBOARD });
  assert.equal(m.title, 'Down: 12 targets');
  assert.equal(m.severity, 'critical');
  assert.equal(field(m, 'Incidents'), '12');
  assert.equal(field(m, 'Kinds'), 'Down ×3');
  assert.deepEqual(m.lines, [
    'Shop 1: down [eu-west] since 2024-05-01 12:59:30 UTC: connection refused',
    'Shop 2: down [eu-west] since 2024-05-01 12:59:30 UTC: connection refused',
    'Shop 3: down [eu-west] since 2024-05-01 12:59:30 UTC: connection refused',
    '…and 9 more',
  ]);
  assert.equal(m.link?.url, `${DASHBOARD}/ui/incidents`);
  assert.equal(renderMessage({ ...BURST, kind: 'resolved' }).title, 'Resolved: 12 incidents (down)');
  const mixed: IncidentEvent = { ...BURST, summary: undefined, incidents: [BURST.incidents[0], INCIDENT] };
  assert.equal(renderMessage(mixed).title, '2 incidents opened');
});

test('splitNotification renders one single-incident notification per incident of a burst', () => {
  const parts = splitNotification(buildNotification(BURST, { dashboardUrl: DASHBOARD }));
  assert.equal(parts.length, 3);
  assert.equal(parts[1]?.message.title, 'Down: Shop 2');
  assert.equal(parts[1]?.message.link?.url, `${DASHBOARD}/ui/incidents/inc-b2`);
  const single = buildNotification(OPENED);
  assert.deepEqual(splitNotification(single), [single]);
});

test('a test event is labelled as a test, and the plain text carries every part', () => {
  const ev = buildTestEvent({ id: 'evt-t', at: '2024-05-01T12:00:00.000Z', requestedBy: 'ana' });
  const m = renderMessage(ev, { dashboardUrl: DASHBOARD });
  assert.equal(m.title, 'Test notification from PulseGuard');
  assert.equal(m.severity, 'info');
  assert.equal(m.link?.url, `${DASHBOARD}/ui/`);
  const text = messageText(m);
  assert.match(text, /^Test notification from PulseGuard\n\nTarget: Example target\n/);
  assert.match(text, /Requested by: ana/);
  assert.match(text, /This is a test notification/);
  assert.match(text, /Open PulseGuard: https:\/\/pulse\.example\.com\/ui\/$/);
});

test('durations keep their two largest units and times read as UTC', () => {
  assert.equal(formatDuration(500), '<1s');
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(750_000), '12m 30s');
  assert.equal(formatDuration(7_260_000), '2h 1m');
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), '3d 4h');
  assert.equal(formatTime('2024-05-01T14:03:00+02:00'), '2024-05-01 12:03:00 UTC');
});

test('parseIncidentEvent accepts a valid event and names the bad field of an invalid one', () => {
  assert.equal(parseIncidentEvent(JSON.parse(JSON.stringify(BURST))).id, BURST.id);
  const bad = (x: unknown, field: string) =>
    assert.throws(() => parseIncidentEvent(x), (e: unknown) => e instanceof AppError && e.code === 'validation' && e.field === field);
  bad({ ...OPENED, kind: 'exploded' }, 'kind');
  bad({ ...OPENED, incidents: [] }, 'incidents');
  bad({ ...OPENED, incidents: [{ ...INCIDENT, started_at: 'yesterday' }] }, 'incidents[0].started_at');
  bad({ ...OPENED, incidents: [{ ...INCIDENT, regions: 'eu' }] }, 'incidents[0].regions');
  bad({ ...BURST, summary: { total: 2 } }, 'summary.total');
});
