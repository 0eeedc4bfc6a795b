// The `pulseguard` CLI as a user runs it: real processes, a real embedded store in a temp dir.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPulseguard, runPulseguardOnce } from './helpers/proc.js';

let target: Server;
let targetUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'pulseguard-cli-'));

before(async () => {
  target = createServer((req, res) => {
    res.writeHead(req.url === '/fail' ? 503 : 200);
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
after(() => {
  target.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('--help lists every command and each command has its own help', async () => {
  const main = await runPulseguardOnce(['--help']);
  assert.equal(main.code, 0);
  for (const c of ['start', 'migrate', 'targets', 'probe', 'api', 'scheduler', 'prober', 'ingester']) assert.match(main.output, new RegExp(`\\n  ${c}\\b`));
  assert.match(main.output, /PULSEGUARD_PORT/);
  const probe = await runPulseguardOnce(['probe', '--help']);
  assert.equal(probe.code, 0);
  assert.match(probe.output, /--due --once/);
});

test('an unknown command or option exits 2 with a message', async () => {
  const r = await runPulseguardOnce(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.output, /unknown command "frobnicate"/);
  const o = await runPulseguardOnce(['migrate', '--colour', 'red']);
  assert.equal(o.code, 2);
  assert.match(o.output, /unknown option --colour/);
});

test('a bad setting stops the start with every problem listed', async () => {
  const r = await runPulseguardOnce(['start'], { PULSEGUARD_PORT: 'eighty', PULSEGUARD_RETENTION_DAYS: '0', PULSEGUARD_DATA_DIR: dataDir });
  assert.equal(r.code, 2);
  assert.match(r.output, /port \(PULSEGUARD_PORT\): must be a whole number/);
  assert.match(r.output, /retention_days \(PULSEGUARD_RETENTION_DAYS\): must be between 1/);
});

test('probe URL prints the phases and exits 0, or 1 when the probe fails', async () => {
  const ok = await runPulseguardOnce(['probe', `${targetUrl}/`]);
  assert.equal(ok.code, 0, ok.output);
  assert.match(ok.output, /connect/i);
  assert.match(ok.output, /200/);
  const bad = await runPulseguardOnce(['probe', `${targetUrl}/fail`]);
  assert.equal(bad.code, 1, bad.output);
  assert.match(bad.output, /status/);
  const invalid = await runPulseguardOnce(['probe', 'gopher://x']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.output, /scheme/);
});

test('start, manage targets from the CLI, stop on SIGTERM with exit 0, restart keeps the targets', async () => {
  const env = { PULSEGUARD_DATA_DIR: dataDir, PULSEGUARD_PORT: '0', PULSEGUARD_HOST: '127.0.0.1' };
  const first = runPulseguard(['start'], env);
  const [, url] = await first.waitForOutput(/Dashboard and API: (http:\/\/\S+)/, 60_000);
  const [, token] = await first.waitForOutput(/API token[^\n]*\n\s+(\S+)/);
  const cli = (args: string[]) => runPulseguardOnce(['targets', ...args, '--api-url', url!, '--token', token!]);
  const add = await cli(['add', '--name', 'local', '--url', `${targetUrl}/`, '--interval-s', '5']);
  assert.equal(add.code, 0, add.output);
  const [, id] = add.output.match(/created target (\d+)/)!;
  const denied = await runPulseguardOnce(['targets', 'list', '--api-url', url!, '--token', 'wrong']);
  assert.equal(denied.code, 1);
  assert.match(denied.output, /401/);
  const list = await cli(['list']);
  assert.match(list.output, new RegExp(`${id}\\s+\\S*\\s+5s\\s+local`));
  assert.equal(await first.kill('SIGTERM'), 0, first.output());

  const second = runPulseguard(['start'], env);
  const [, url2] = await second.waitForOutput(/Dashboard and API: (http:\/\/\S+)/, 60_000);
  assert.doesNotMatch(second.output(), /API token \(shown once/);
  const again = await runPulseguardOnce(['targets', 'list', '--api-url', url2!, '--token', token!]);
  assert.match(again.output, /local/);
  const rm = await runPulseguardOnce(['targets', 'rm', id!, '--api-url', url2!, '--token', token!]);
  assert.equal(rm.code, 0, rm.output);
  assert.equal(await second.kill('SIGINT'), 0, second.output());
});
