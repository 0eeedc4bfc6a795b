// Channels declared outside the API: the `channels:` section of pulseguard.yaml (validated with
// every problem listed, `${VAR}` read from the environment) and SLACK_WEBHOOK_URL, synced when
// the notifier role starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../bus/memory.js';
import { loadConfig } from '../../config/load.js';
import { AppError } from '../../errors.js';
import { createMetrics } from '../../metrics.js';
import { startNotifier } from '../../roles/notifier.js';
import { notifyStore } from '../../store/sql/notify.js';
import { silentLogger } from '../../util/log.js';
import { testStore } from '../../../test/helpers/store.js';
import { parseChannelsSection } from './channel-sync.js';
import { ChannelService } from './channels.js';

test('a bad channels section fails with every problem listed, by path', () => {
  const section = [
    { name: 'ok', type: 'webhook', config: { url: '${HOOK}' } },
    { name: 'no-url', type: 'webhook', config: {} },
    { name: 'bad-type', type: 'fax', config: {} },
    { name: 'ok', type: 'webhook', config: { url: 'https://example.test/' } },
    { name: 'missing-var', type: 'webhook', config: { url: '${NOT_SET_ANYWHERE}' } },
  ];
  assert.throws(
    () => parseChannelsSection(section, { HOOK: 'https://hooks.example.test/x' }),
    (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'validation');
      assert.match(e.message, /channels\[1\]\.config\.url: "config\.url" is required/);
      assert.match(e.message, /channels\[2\]\.type/);
      assert.match(e.message, /channels\[3\]\.name: "ok" is used by another channel/);
      assert.match(e.message, /channels\[4\]\.config\.url: environment variable NOT_SET_ANYWHERE is not set/);
      return true;
    },
  );
  const [ok] = parseChannelsSection(section.slice(0, 1), { HOOK: 'https://hooks.example.test/x' });
  assert.deepEqual(ok?.config, { url: 'https://hooks.example.test/x' });
  assert.equal(ok?.managed_by, 'config');
  assert.throws(() => parseChannelsSection({ name: 'x' }), /must be a list/);
});

test('the notifier role creates the yaml channels and the SLACK_WEBHOOK_URL channel at start, and removes them once gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulseguard-channels-'));
  const file = join(dir, 'pulseguard.yaml');
  const { store, cleanup } = await testStore('embedded');
  const bus = new MemoryBus();
  const saved = { config: process.env.PULSEGUARD_CONFIG, hook: process.env.PG_TEST_HOOK_URL };
  const start = async (env: Record<string, string>) => {
    const config = loadConfig({ file: '/dev/null', env: { PULSEGUARD_NOTIFY_GROUP_WAIT_MS: '0', ...env } });
    const role = await startNotifier({ config, store, bus, metrics: createMetrics({ perTarget: false, defaults: false }), log: silentLogger });
    await role.stop();
  };
  try {
    writeFileSync(file, ['channels:', '  - name: yaml-hook', '    type: webhook', '    default: true', '    remind_every_minutes: 60', '    config:', '      url: ${PG_TEST_HOOK_URL}', ''].join('\n'));
    process.env.PULSEGUARD_CONFIG = file;
    process.env.PG_TEST_HOOK_URL = 'https://hooks.example.test/yaml?token=yamlSecretToken123456';
    await start({ SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T9/B9/envSecretToken000000000' });
    const svc = new ChannelService(store, { metrics: createMetrics({ perTarget: false, defaults: false }), render: {}, timeoutMs: 1000 });
    const list = await svc.list();
    const byName = Object.fromEntries(list.map((c) => [c.name, c]));
    assert.equal(byName['slack-default']?.managed_by, 'env');
    assert.equal(byName['slack-default']?.default, true);
    assert.equal(byName['slack-default']?.config.webhook_url, 'https://hooks.slack.com/…/****0000');
    assert.equal(byName['yaml-hook']?.managed_by, 'config');
    assert.equal(byName['yaml-hook']?.remind_every_minutes, 60);
    const text = JSON.stringify(list);
    assert.ok(!text.includes('envSecretToken') && !text.includes('yamlSecretToken'), text);
    const stored = await notifyStore(store.db).channels.list();
    assert.equal(stored.find((c) => c.name === 'yaml-hook')?.config.url, process.env.PG_TEST_HOOK_URL, 'stored in clear, for sending');

    writeFileSync(file, 'channels: []\n');
    await start({});
    assert.deepEqual((await svc.list()).map((c) => c.name), []);
  } finally {
    if (saved.config === undefined) delete process.env.PULSEGUARD_CONFIG;
    else process.env.PULSEGUARD_CONFIG = saved.config;
    if (saved.hook === undefined) delete process.env.PG_TEST_HOOK_URL;
    else process.env.PG_TEST_HOOK_URL = saved.hook;
    await bus.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
