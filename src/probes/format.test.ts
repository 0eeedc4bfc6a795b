import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeOutcome } from '../domain/types.js';
import { formatOutcome } from './format.js';

const now = Date.parse('2025-01-01T00:00:00Z');

test('an ok https outcome shows status, latency, every phase with a bar and the certificate', () => {
  const o: ProbeOutcome = {
    ok: true, latency_ms: 120.5, status_code: 200, error_class: null, error_message: null,
    phases: { dns_ms: 2, connect_ms: 8, tls_ms: 40, ttfb_ms: 60, transfer_ms: 10 },
    tls_expires_at: '2025-01-31T00:00:00.000Z', tls_issuer: 'CN=R11, O=Let\'s Encrypt',
  };
  assert.equal(formatOutcome('https://example.com/', o, now), [
    'https://example.com/',
    '  result    OK',
    '  status    200',
    '  latency   121 ms',
    '  phases',
    '    dns         2.00 ms  █',
    '    connect     8.00 ms  ██',
    '    tls         40.0 ms  ██████████',
    '    ttfb        60.0 ms  ███████████████',
    '    transfer    10.0 ms  ███',
    '  tls cert  expires 2025-01-31T00:00:00.000Z (in 30 day(s))',
    "  issuer    CN=R11, O=Let's Encrypt",
  ].join('\n'));
});

test('a failed outcome shows the class and message, and phases that never happened as a dash', () => {
  const o: ProbeOutcome = {
    ok: false, latency_ms: 3, status_code: null, error_class: 'refused', error_message: 'connection refused by 127.0.0.1:9',
    phases: { dns_ms: null, connect_ms: null, tls_ms: null, ttfb_ms: null, transfer_ms: null },
    tls_expires_at: null, tls_issuer: null,
  };
  const text = formatOutcome('http://127.0.0.1:9/', o, now);
  assert.equal(text, 'http://127.0.0.1:9/\n  result    FAIL (refused)\n  error     connection refused by 127.0.0.1:9\n  latency   3.00 ms');
  const expired = formatOutcome('https://x/', { ...o, phases: { ...o.phases, connect_ms: 1 }, tls_expires_at: '2024-12-30T00:00:00.000Z' }, now);
  assert.match(expired, /\n {4}dns {15}—\n/);
  assert.match(expired, /expires 2024-12-30T00:00:00.000Z \(expired 2 day\(s\) ago\)/);
});
