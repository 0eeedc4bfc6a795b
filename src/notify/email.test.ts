import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ACKED, OPENED, RESOLVED, assertFailed, ctx, note } from '../../test/helpers/channel-contract.js';
import { email, type EmailConfig } from './email.js';

const PASSWORD = 'sm7p-P4ssw0rd-very-secret';

interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
}

/** A real SMTP server on 127.0.0.1:0 that keeps what it receives and rejects some recipients. */
async function startSmtp(opts: Partial<SMTPServerOptions> = {}) {
  const mails: Received[] = [];
  const auths: string[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: false,
    onAuth(auth, _session, cb) {
      auths.push(auth.username ?? '');
      if (auth.username === 'pulse' && auth.password === PASSWORD) cb(null, { user: 'pulse' });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const fail = (code: number, text: string) => cb(Object.assign(new Error(text), { responseCode: code }));
      if (address.address.startsWith('bounce@')) return fail(550, 'No such user');
      if (address.address.startsWith('later@')) return fail(451, 'Try again later');
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const env = session.envelope;
        mails.push({
          from: env.mailFrom ? env.mailFrom.address : '',
          to: env.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        cb(null);
      });
    },
    ...opts,
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, auths, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const base = (port: number): EmailConfig => ({ host: '127.0.0.1', port, from: 'PulseGuard <alerts@example.com>', to: ['ops@example.com'] });

/** Undoes quoted-printable and RFC 2047 encoded words, enough to read our own messages back. */
function decode(raw: string): string {
  const qp = raw.replace(/=\r?\n/g, '').replace(/(?:=[0-9A-F]{2})+/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('utf8'));
  return qp.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : text.replace(/_/g, ' '),
  );
}
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];

test('email: an opened incident is a text+HTML mail with subject, fields, evidence, link and a thread root Message-ID', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  try {
    const d = await email.send(note(OPENED), base(smtp.port), ctx());
    assert.deepEqual(d, { ok: true, status: 250 });
    const [m] = smtp.mails;
    assert.equal(m?.from, 'alerts@example.com');
    assert.deepEqual(m?.to, ['ops@example.com']);
    const text = decode(m!.raw);
    assert.equal(header(text, 'Subject'), '[PulseGuard] Latency anomaly: Checkout API');
    assert.equal(header(m!.raw, 'Message-ID'), '<pulseguard.incident.inc-0042@example.com>');
    assert.equal(header(m!.raw, 'X-PulseGuard-Event'), 'opened');
    assert.equal(header(m!.raw, 'X-PulseGuard-Event-Id'), OPENED.id);
    assert.match(text, /Content-Type: text\/plain/);
    assert.match(text, /Content-Type: text\/html/);
    assert.match(text, /Since: 2024-05-01 12:03:00 UTC \(2m\)/);
    assert.match(text, /Anomaly score: 0\.97/);
    assert.match(text, /Open incident in PulseGuard: https:\/\/pulse\.example\.com\/ui\/incidents\/inc-0042/);
    assert.match(text, /<th align="left"[^>]*>Regions<\/th><td>eu-west, us-east<\/td>/);
  } finally {
    await smtp.close();
  }
});

test('email: acknowledgement and resolution mails reply in the incident thread', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  try {
    for (const e of [ACKED, RESOLVED]) assert.equal((await email.send(note(e), { ...base(smtp.port), subject_prefix: '' }, ctx())).ok, true);
    const [ack, res] = smtp.mails.map((m) => m.raw);
    assert.equal(header(decode(ack!), 'Subject'), 'Acknowledged: Checkout API (latency anomaly)');
    assert.equal(header(decode(res!), 'Subject'), 'Resolved: Checkout API (latency anomaly for 12m 30s)');
    assert.equal(header(res!, 'Message-ID'), '<pulseguard.event.evt-res-1@example.com>');
    assert.equal(header(res!, 'In-Reply-To'), '<pulseguard.incident.inc-0042@example.com>');
    assert.equal(header(res!, 'References'), '<pulseguard.incident.inc-0042@example.com>');
  } finally {
    await smtp.close();
  }
});

test('email: credentials go over STARTTLS; a wrong password is final and never appears in the error', async () => {
  const smtp = await startSmtp();
  try {
    const cfg: EmailConfig = { ...base(smtp.port), username: 'pulse', password: PASSWORD, tls_reject_unauthorized: false };
    assert.equal((await email.send(note(OPENED), cfg, ctx())).ok, true);
    assert.equal(smtp.mails[0]?.secure, true);
    assert.equal(smtp.mails[0]?.user, 'pulse');
    const d = await email.send(note(OPENED), { ...cfg, password: `${PASSWORD}-wrong` }, ctx());
    assertFailed(d, false, [PASSWORD]);
    assert.equal(d.status, 535);
  } finally {
    await smtp.close();
  }
});

test('email: a server without STARTTLS never receives the password', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
  try {
    const d = await email.send(note(OPENED), { ...base(smtp.port), username: 'pulse', password: PASSWORD }, ctx());
    assertFailed(d, false, [PASSWORD]);
    assert.deepEqual(smtp.auths, []);
    assert.equal(smtp.mails.length, 0);
  } finally {
    await smtp.close();
  }
});

test('email: a 550 recipient is final, a 451 one retryable', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  try {
    const hard = await email.send(note(OPENED), { ...base(smtp.port), to: ['bounce@example.com'] }, ctx());
    assertFailed(hard, false, []);
    assert.equal(hard.status, 550);
    const soft = await email.send(note(OPENED), { ...base(smtp.port), to: ['later@example.com'] }, ctx());
    assertFailed(soft, true, []);
    assert.equal(soft.status, 451);
  } finally {
    await smtp.close();
  }
});

test('email: a server that never greets gives a retryable timeout within the deadline and no open socket', async () => {
  const sockets = new Set<Socket>();
  const mute = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  }).listen(0, '127.0.0.1');
  await once(mute, 'listening');
  try {
    const t0 = performance.now();
    const d = await email.send(note(OPENED), { ...base((mute.address() as AddressInfo).port), password: undefined }, ctx(300));
    const took = performance.now() - t0;
    assertFailed(d, true, []);
    assert.match(d.error, /timed out|ETIMEDOUT/i);
    assert.ok(took < 1500, `took ${took} ms`);
    const deadline = Date.now() + 2000;
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sockets.size, 0, 'the client left its socket open');
  } finally {
    mute.close();
  }
});

test('email: a refused connection is retryable', async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  assertFailed(await email.send(note(OPENED), base(port), ctx()), true, []);
});

test('email: validation checks addresses and wants a username with a password', () => {
  assert.throws(() => email.validate?.({ ...base(25), from: 'nobody' }), /"from"/);
  assert.throws(() => email.validate?.({ ...base(25), to: ['ops@example.com', 'x'] }), /"to\[1\]"/);
  assert.throws(() => email.validate?.({ ...base(25), password: PASSWORD }), /username/);
  email.validate?.({ ...base(25), from: 'alerts@example.com', username: 'u', password: PASSWORD });
});
