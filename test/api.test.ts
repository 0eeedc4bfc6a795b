// The API end to end: every role in one process on a fresh embedded store, over real HTTP, with a
// real local HTTP target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_TOKEN, startTestApp, waitFor, type TestApp } from './helpers/app.js';

let app: TestApp;
let target: Server;
let targetUrl: string;
let failing = false;

before(async () => {
  target = createServer((req, res) => {
    res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('hello pulseguard');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
  app = await startTestApp();
});

after(async () => {
  await app?.stop();
  target?.close();
});

describe('targets', () => {
  test('POST /targets with only name and url creates it with defaults and probes it within seconds', async () => {
    const created = await app.api('POST', '/targets', { name: 'home', url: targetUrl });
    assert.equal(created.status, 201);
    assert.equal(typeof created.body.id, 'number');
    assert.equal(created.body.type, 'http');
    assert.equal(created.body.interval_s, 60);
    assert.equal(created.body.enabled, true);
    assert.equal(created.body.options.method, 'GET');
    const id = created.body.id as number;
    const results = await waitFor(async () => {
      const r = await app.api('GET', `/status?target_id=${id}`);
      return r.body.length > 0 ? r.body : undefined;
    }, 8000, 'a first probe result');
    assert.equal(results[0].ok, true);
    assert.equal(results[0].status_code, 200);
    assert.equal(results[0].target_id, id);
    assert.ok(results[0].latency_ms >= 0);
    const one = await app.api('GET', `/targets/${id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.status, 'up');
    const latest = await app.api('GET', '/results');
    assert.ok(latest.body.some((r: { target_id: number }) => r.target_id === id));
    const hist = await app.api('GET', `/results/${id}?limit=1`);
    assert.equal(hist.body.length, 1);
  });

  test('PATCH pauses and changes a target; the change shows in the next probe; DELETE removes it', async () => {
    const { body: t } = await app.api('POST', '/targets', { name: 'patchy', url: targetUrl, interval_s: 1 });
    await waitFor(async () => (await app.api('GET', `/status?target_id=${t.id}`)).body.length > 0, 8000, 'first result');
    failing = true;
    try {
      const changed = await app.api('PATCH', `/targets/${t.id}`, { name: 'patchy2', options: { expected_status: '200' } });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.name, 'patchy2');
      const down = await waitFor(async () => {
        const r = await app.api('GET', `/status?target_id=${t.id}&limit=1`);
        return r.body[0]?.ok === false ? r.body[0] : undefined;
      }, 8000, 'a failed result');
      assert.equal(down.error_class, 'status');
      assert.equal(down.status_code, 500);
    } finally {
      failing = false;
    }
    const paused = await app.api('PATCH', `/targets/${t.id}`, { enabled: false });
    assert.equal(paused.body.enabled, false);
    assert.equal((await app.api('GET', `/targets/${t.id}`)).body.status, 'paused');
    const del = await app.api('DELETE', `/targets/${t.id}`);
    assert.equal(del.status, 204);
    assert.equal((await app.api('GET', `/targets/${t.id}`)).status, 404);
    assert.equal((await app.api('DELETE', `/targets/${t.id}`)).status, 404);
  });
});

describe('live events', () => {
  test('GET /events streams `target` events for create, change and delete, and `result` events of its probes', async () => {
    const abort = new AbortController();
    const res = await fetch(`${app.url}/events`, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: abort.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const seen: { event: string; data: { target_id: number; op?: string } }[] = [];
    const reading = (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        for (let end; (end = buf.indexOf('\n\n')) >= 0; buf = buf.slice(end + 2)) {
          const m = /^event: (\w+)\ndata: (.*)$/s.exec(buf.slice(0, end));
          if (m) seen.push({ event: m[1]!, data: JSON.parse(m[2]!) });
        }
      }
    })().catch(() => undefined);
    try {
      const { body: t } = await app.api('POST', '/targets', { name: 'live', url: targetUrl, interval_s: 1 });
      await waitFor(async () => seen.some((e) => e.event === 'result' && e.data.target_id === t.id), 8000, 'a result event');
      await app.api('PATCH', `/targets/${t.id}`, { name: 'live2' });
      await app.api('DELETE', `/targets/${t.id}`);
      await waitFor(async () => seen.some((e) => e.event === 'target' && e.data.op === 'deleted'), 5000, 'the deleted event');
      const ops = seen.filter((e) => e.event === 'target' && e.data.target_id === t.id).map((e) => e.data.op);
      assert.deepEqual(ops, ['created', 'updated', 'deleted']);
    } finally {
      abort.abort();
      await reading;
    }
  });
});

describe('bad input gets a 4xx naming the field, and nothing is written', () => {
  const cases: Array<[string, string, string, unknown, number, string | undefined]> = [
    ['unknown field', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', colour: 'red' }, 400, 'colour'],
    ['missing url', 'POST', '/targets', { name: 'x' }, 400, 'url'],
    ['bad url', 'POST', '/targets', { name: 'x', url: 'not a url' }, 400, 'url'],
    ['bad scheme', 'POST', '/targets', { name: 'x', url: 'ftp://127.0.0.1/' }, 400, 'url'],
    ['interval too small', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', interval_s: 0 }, 400, 'interval_s'],
    ['interval too large', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', interval_s: 10_000_000 }, 400, 'interval_s'],
    ['timeout above interval', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', interval_s: 1, timeout_ms: 5000 }, 400, 'timeout_ms'],
    ['wrong type', 'POST', '/targets', { name: 42, url: 'http://127.0.0.1/' }, 400, 'name'],
    ['bad probe option', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', options: { method: 'FETCH' } }, 400, 'options.method'],
    ['unknown probe option', 'POST', '/targets', { name: 'x', url: 'http://127.0.0.1/', options: { retries: 3 } }, 400, 'options.retries'],
    ['empty patch', 'PATCH', '/targets/1', {}, 400, undefined],
    ['non-numeric id', 'GET', '/targets/abc', undefined, 400, 'id'],
    ['non-existent id', 'PATCH', '/targets/999999', { name: 'y' }, 404, undefined],
    ['status without target_id', 'GET', '/status', undefined, 400, 'target_id'],
    ['status of a non-existent target', 'GET', '/status?target_id=999999', undefined, 404, undefined],
    ['unknown query parameter', 'GET', '/status?target_id=1&colour=red', undefined, 400, 'colour'],
  ];
  for (const [name, method, path, body, status, field] of cases) {
    test(name, async () => {
      const before = (await app.api('GET', '/targets')).body.length;
      const r = await app.api(method, path, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(typeof r.body.error.message, 'string');
      if (field) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      assert.equal((await app.api('GET', '/targets')).body.length, before);
    });
  }

  test('malformed JSON', async () => {
    const r = await app.api('POST', '/targets', undefined, { raw: '{"name": "x", ' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'validation');
  });

  test('oversized body', async () => {
    const r = await app.api('POST', '/targets', undefined, { raw: JSON.stringify({ name: 'x'.repeat(400_000), url: 'http://127.0.0.1/' }) });
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'too_large');
  });
});

describe('auth', () => {
  test('mutations and reads need the token; health, ready and metrics do not', async () => {
    assert.equal((await app.api('POST', '/targets', { name: 'x', url: 'http://127.0.0.1/' }, { auth: false })).status, 401);
    assert.equal((await app.api('GET', '/targets', undefined, { auth: false })).status, 401);
    const wrong = await app.api('GET', '/targets', undefined, { auth: false, headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'unauthorized');
    assert.equal((await app.api('GET', '/health', undefined, { auth: false })).status, 200);
    const ready = await app.api('GET', '/ready', undefined, { auth: false });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.ready, true);
    assert.equal((await app.api('GET', '/openapi.json', undefined, { auth: false })).status, 200);
  });

  test('signing in with the token sets an HttpOnly SameSite cookie that authenticates reads', async () => {
    const bad = await app.api('POST', '/auth/session', { token: 'wrong' }, { auth: false });
    assert.equal(bad.status, 401);
    const r = await app.api('POST', '/auth/session', { token: 'test-token-0123456789' }, { auth: false });
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const value = cookie.split(';')[0]!;
    assert.equal((await app.api('GET', '/targets', undefined, { auth: false, headers: { cookie: value } })).status, 200);
    assert.equal((await app.api('GET', '/targets', undefined, { auth: false, headers: { cookie: value.slice(0, -2) + 'xx' } })).status, 401);
  });
});

describe('metrics and OpenAPI', () => {
  test('/metrics exposes probe counts, lag, per-target up and process metrics in Prometheus format', async () => {
    const { body: t } = await app.api('POST', '/targets', { name: 'metered', url: targetUrl, interval_s: 1 });
    await waitFor(async () => (await app.api('GET', `/status?target_id=${t.id}`)).body.length > 0, 8000, 'a result');
    const text = (await app.api('GET', '/metrics', undefined, { auth: false })).body as string;
    assert.match(text, /pulseguard_probes_total\{kind="http",region="default",result="ok"\} [1-9]/);
    assert.match(text, /pulseguard_schedule_lag_seconds_bucket/);
    assert.match(text, new RegExp(`pulseguard_target_up\\{target_id="${t.id}",target="metered"\\} 1`));
    assert.match(text, /pulseguard_store_write_seconds_count [1-9]/);
    assert.match(text, /process_resident_memory_bytes/);
  });

  test('/openapi.json documents the seed endpoints', async () => {
    const doc = (await app.api('GET', '/openapi.json')).body;
    for (const p of ['/targets', '/targets/{id}', '/status', '/results', '/results/{id}', '/health', '/ready', '/metrics']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
  });
});
