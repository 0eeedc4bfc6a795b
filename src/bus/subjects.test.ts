import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFilter, checkKey, filterSubject, keyMatcher, streamName, streamSettings, subjectOf } from './subjects.js';
import { nakDelayMs, resolveConsumeOptions } from './consume-options.js';

test('filters match keys like NATS wildcards: * is one token, a final > is the rest', () => {
  const cases: [string | undefined, string, boolean][] = [
    [undefined, 'eu.1', true], ['>', 'eu.1', true], ['eu', 'eu', true], ['eu', 'eu.1', false],
    ['*.*', 'eu.1', true], ['*.*', 'eu', false], ['eu.*', 'us.1', false], ['eu.>', 'eu.1', true],
    ['eu.>', 'eu', false], ['*.>', 'us.7', true], ['*.1', 'us.1', true], ['*.1', 'us.12', false],
  ];
  for (const [filter, key, want] of cases) assert.equal(keyMatcher(filter)(key), want, `${String(filter)} ~ ${key}`);
});

test('names follow the prefix: subjects, stream names and consumer filter subjects', () => {
  assert.equal(subjectOf('pg', 'results', 'eu.7'), 'pg.results.eu.7');
  assert.equal(streamName('pg', 'jobs'), 'pg_jobs');
  assert.equal(filterSubject('pg', 'jobs', 'eu'), 'pg.jobs.eu');
  assert.equal(filterSubject('pg', 'jobs', undefined), undefined);
  assert.equal(checkKey('eu.7'), 'eu.7');
  assert.equal(checkFilter('*.>'), '*.>');
  assert.throws(() => checkFilter('eu.>.x'));
  assert.throws(() => checkKey('eu 7'));
});

test('stream settings take per-topic overrides over the defaults', () => {
  const s = streamSettings({ results: { maxBytes: 1024 } });
  assert.equal(s.results.maxBytes, 1024);
  assert.equal(s.results.retention, 'limits');
  assert.equal(s.jobs.retention, 'interest');
});

test('failed messages back off 1 s, 2 s, 4 s ... up to 60 s; ephemeral group names are sanitised', () => {
  assert.deepEqual([1, 2, 3, 7, 50].map(nakDelayMs), [1000, 2000, 4000, 60_000, 60_000]);
  assert.equal(resolveConsumeOptions({ group: 'live-a.b:c', ephemeral: true }).group, 'live-a_b_c');
  assert.equal(resolveConsumeOptions({ group: 'ingester' }).concurrency, 256);
});
