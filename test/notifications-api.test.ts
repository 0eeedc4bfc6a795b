// Notifications through the running app (every role, one process, real HTTP): channels, routing,
// test sends from the API and the CLI, deliveries, maintenance windows, metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/cli.js';
import { startCaptureServer, type CaptureServer } from './helpers/capture-server.js';
import { startTestApp, TEST_TOKEN, waitFor, type TestApp } from './helpers/app.js';
import { transitionOf } from './helpers/notify.js';

const SECRET_PATH = 'T0001/B0002/apiSecretSlackToken0123456';
let app: TestApp;
let cap: CaptureServer;

before(async () => {
  cap = await startCaptureServer({ status: 200, body: 'ok' });
  app = await startTestApp({ PULSEGUARD_NOTIFY_GROUP_WAIT_MS: '0', PULSEGUARD_PUBLIC_URL: 'https://pulse.example.test' });
});
after(async () => {
  await app?.stop();
  await cap?.close();
});

const slackConfig = (path = SECRET_PATH) => ({ webhook_url: `${cap.url}/services/${path}` });
const noSecret = (body: unknown, secret = SECRET_PATH) => {
  const text = JSON.stringify(body);
  assert.ok(!text.includes(secret) && !text.includes('apiSecretSlackToken'), `secret in ${text}`);
};
const target = async (name: string) => (await app.api('POST', '/targets', { name, url: 'http://127.0.0.1:9/', enabled: false })).body as { id: number; name: string; url: string };

describe('channels', () => {
  test('the API stores a channel and only ever returns its secrets masked', async () => {
    const created = await app.api('POST', '/channels', { name: 'ops-slack', type: 'slack', config: slackConfig(), default: false });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.config.webhook_url, /^http:\/\/127\.0\.0\.1:\d+\/…\/\*\*\*\*3456$/);
    assert.equal(created.body.default, false);
    assert.equal(created.body.managed_by, 'api');
    const id = created.body.id as number;
    const list = await app.api('GET', '/channels');
    const one = await app.api('GET', `/channels/${id}`);
    for (const b of [created.body, list.body, one.body]) noSecret(b);
    // Sending the masked value back keeps the stored secret (the test send reaches the real path).
    const patched = await app.api('PATCH', `/channels/${id}`, { config: { ...one.body.config, mention: '<!here>' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    noSecret(patched.body);
    const sent = await app.api('POST', `/channels/${id}/test`, {});
    assert.equal(sent.body.ok, true, JSON.stringify(sent.body));
    const req = cap.requests.at(-1)!;
    assert.equal(req.url, `/services/${SECRET_PATH}`);
    assert.match(req.json<{ text: string }>().text, /Test notification from PulseGuard/);
    const recorded = await app.api('GET', `/deliveries?transition=test&channel_id=${id}`);
    assert.equal(recorded.body.length, 1);
    assert.equal(recorded.body[0].status, 'delivered');
    assert.equal(recorded.body[0].id, sent.body.delivery_id);
  });

  test('bad channel input gets a 400 naming the field, without repeating the value', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', type: 'slack', config: { webhook_url: 'not-a-url-secretvalue' } }, 'config.webhook_url'],
      [{ name: 'x', type: 'webhook', config: {} }, 'config.url'],
      [{ name: 'x', type: 'webhook', config: { url: 'https://example.test/', colour: 'red' } }, 'config.colour'],
      [{ name: 'x', type: 'carrier-pigeon', config: {} }, 'type'],
      [{ name: 'x', type: 'webhook' }, 'config'],
      [{ name: 'x', type: 'webhook', config: { url: 'https://example.test/' }, remind_every_minutes: 0 }, 'remind_every_minutes'],
    ];
    for (const [body, field] of cases) {
      const r = await app.api('POST', '/channels', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      assert.ok(!JSON.stringify(r.body).includes('secretvalue'));
    }
    await app.api('POST', '/channels', { name: 'taken', type: 'webhook', config: { url: 'https://example.test/' } });
    const dup = await app.api('POST', '/channels', { name: 'taken', type: 'webhook', config: { url: 'https://example.test/' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.field, 'name');
    const id = (await app.api('GET', '/channels')).body.find((c: { name: string }) => c.name === 'taken').id as number;
    const retype = await app.api('PATCH', `/channels/${id}`, { type: 'slack' });
    assert.equal(retype.body.error.field, 'config');
    assert.equal((await app.api('DELETE', `/channels/${id}`)).status, 204);
    assert.equal((await app.api('DELETE', `/channels/${id}`)).status, 404);
  });

  test('`pulseguard notify test --channel ID` sends through the running API; a refused test exits 1 without the secret', async () => {
    const good = (await app.api('POST', '/channels', { name: 'cli-ok', type: 'slack', config: slackConfig('T1/B1/cliOkSecret0000000000'), default: false })).body;
    const bad = (await app.api('POST', '/channels', { name: 'cli-bad', type: 'slack', config: slackConfig('T1/B1/cliBadSecret000000000'), default: false })).body;
    cap.setFallback((r) => (r.url.includes('cliBad') ? { status: 404, body: `no_service ${r.url}` } : { status: 200, body: 'ok' }));
    const lines: string[] = [];
    const run = (id: number) => main(['notify', 'test', '--channel', String(id), '--api-url', app.url, '--token', TEST_TOKEN], (s) => void lines.push(s));
    assert.equal(await run(good.id), 0, lines.join('\n'));
    assert.match(lines.join('\n'), new RegExp(`sent through channel ${good.id} \\(200\\)`));
    assert.match(cap.requests.at(-1)!.body, /Requested by/);
    assert.equal(await run(bad.id), 1);
    assert.match(lines.at(-1)!, /failed: HTTP 404 from 127\.0\.0\.1:\d+: no_service/);
    assert.ok(!lines.join('\n').includes('cliBadSecret'), lines.join('\n'));
    cap.setFallback({ status: 200, body: 'ok' });
    assert.equal(await main(['notify', 'test', '--api-url', app.url], () => undefined), 2, 'no --channel is a usage error');
  });
});

describe('routing, the pipeline, deliveries and metrics', () => {
  test('PUT /targets/:id/channels routes a target; its incident transitions are delivered and listed', async () => {
    const t = await target('routed');
    const ch = (await app.api('POST', '/channels', { name: 'routed-hook', type: 'webhook', config: { url: `${cap.url}/routed` }, default: false })).body;
    assert.equal((await app.api('GET', `/targets/${t.id}/channels`)).body.routing, 'default');
    const bad = await app.api('PUT', `/targets/${t.id}/channels`, { channel_ids: [ch.id, 987654] });
    assert.equal(bad.body.error.field, 'channel_ids');
    assert.equal((await app.api('PUT', '/targets/987654/channels', { channel_ids: [] })).status, 404);
    const put = await app.api('PUT', `/targets/${t.id}/channels`, { channel_ids: [ch.id] });
    assert.equal(put.body.routing, 'explicit');
    assert.deepEqual(put.body.channels.map((c: { id: number }) => c.id), [ch.id]);

    const opened = transitionOf(t, 'opened');
    await app.running.deps.bus.publish('incidents', String(t.id), opened);
    const rows = await waitFor(async () => {
      const r = await app.api('GET', `/deliveries?target_id=${t.id}&status=delivered`);
      return r.body.length === 1 ? r.body : undefined;
    }, 5000, 'the delivery');
    assert.equal(rows[0].channel_name, 'routed-hook');
    assert.equal(rows[0].incident_id, opened.incident.id);
    const hook = cap.requests.find((r) => r.url === '/routed')!;
    assert.equal(hook.json<{ message: { link: string } }>().message.link, `https://pulse.example.test/ui/incidents/${opened.incident.id}`);
    assert.equal((await app.api('GET', '/deliveries?status=bogus')).body.error.field, 'status');
    const metrics = (await app.api('GET', '/metrics', undefined, { auth: false })).body as string;
    assert.match(metrics, /pulseguard_notifications_total\{channel="routed-hook",channel_type="webhook",outcome="delivered"\} 1/);
    assert.match(metrics, /pulseguard_deliveries_pending \d+/);
    const doc = (await app.api('GET', '/openapi.json')).body;
    for (const p of ['/channels', '/channels/{id}/test', '/deliveries', '/maintenance', '/targets/{id}/channels']) assert.ok(doc.paths[p], p);
  });

  test('maintenance windows: declare for a target or all, list, delete; bad input names the field', async () => {
    const t = await target('maint');
    const w = await app.api('POST', '/maintenance', { target_id: t.id, duration_minutes: 30, reason: 'upgrade' });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    assert.equal(Date.parse(w.body.ends_at) - Date.parse(w.body.starts_at), 30 * 60_000);
    const all = await app.api('POST', '/maintenance', { starts_at: new Date(Date.now() + 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7_200_000).toISOString() });
    assert.equal(all.body.target_id, null);
    const active = (await app.api('GET', '/maintenance?active=true')).body.map((x: { id: number }) => x.id);
    assert.ok(active.includes(w.body.id) && !active.includes(all.body.id));
    const bad: Array<[unknown, string]> = [
      [{ duration_minutes: 5, ends_at: new Date(Date.now() + 60_000).toISOString() }, 'ends_at'],
      [{ ends_at: new Date(Date.now() - 60_000).toISOString() }, 'ends_at'],
      [{ target_id: 987654, duration_minutes: 5 }, 'target_id'],
      [{ duration_minutes: 0 }, 'duration_minutes'],
    ];
    for (const [body, field] of bad) assert.equal((await app.api('POST', '/maintenance', body)).body.error?.field, field, JSON.stringify(body));
    assert.equal((await app.api('DELETE', `/maintenance/${w.body.id}`)).status, 204);
    assert.equal((await app.api('DELETE', `/maintenance/${w.body.id}`)).status, 404);
  });
});
