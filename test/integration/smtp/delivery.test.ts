// Delivery end to end, with real peers on loopback: local mail read back by a real Dovecot
// IMAP server (Postern's Maildir, and LMTP into Dovecot), relaying by MX records served by
// a DNS server with preference fallback and null MX, opportunistic STARTTLS, the
// per-destination concurrency limit, quotas, and aliases that point outside.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maildirFor } from '../../../mail-engine/delivery/deliver-maildir';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createAlias } from '../../../server/services/aliases/create-alias';
import { createDomain } from '../../../server/services/domains/create-domain';
import { createNetwork } from '../../../server/services/networks/create-network';
import { updateSettings } from '../../../server/services/settings/update-settings';
import { createUser } from '../../../server/services/users/create-user';
import { run, swaks } from '../../helpers/clients';
import { startDnsServer } from '../../helpers/dns-server';
import { dovecotAvailable, startDovecot } from '../../helpers/dovecot';
import { requireCommand } from '../../helpers/env';
import { freePort } from '../../helpers/ports';
import { startSink } from '../../helpers/sink';
import { posternEnvArgs, startPostern } from '../../helpers/start-postern';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';
import { waitFor } from '../../helpers/wait';


const NOBODY = { uid: 65534, gid: 65534 };
const CAROL = { address: 'carol@mail.test', password: 'carol-password-1' };
const DAVE = { address: 'dave@mail.test', password: 'dave-password-12' };

describe.skipIf(!requireCommand('swaks') || !dovecotAvailable())('delivery to real peers', () => {
  let t: TestEngine;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let mx: Awaited<ReturnType<typeof startSink>>;
  let tlsSink: Awaited<ReturnType<typeof startSink>>;
  let lmtpRoot = '';
  /** What Postern delivered to a local mailbox (its Maildir's new/). */
  const maildir = (address: string) => {
    const dir = path.join(maildirFor(path.join(t.dataDir, 'mail'), address), 'new');
    try {
      return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      return [];
    }
  };
  const send = (to: string, subject: string, from = 'sender@example.org') =>
    swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.0.2', '--from', from, '--to', to, '--header', `Subject: ${subject}`, '--body', `body of ${subject}`]);
  const set = async (changes: Record<string, string | null>) => {
    await updateSettings(t.db, CLI_ACTOR, changes);
    await t.engine.refreshPolicy();
  };

  beforeAll(async () => {
    const smtpPort = await freePort();
    mx = await startSink({ port: smtpPort });
    // The same port on another loopback address is closed: the preferred MX is down.
    dns = await startDnsServer({
      'mx.test': { MX: [[10, 'mx1.mx.test'], [20, 'mx2.mx.test']] },
      'mx1.mx.test': { A: ['127.0.0.5'] },
      'mx2.mx.test': { A: ['127.0.0.1'] },
      'nullmx.test': { MX: [[0, '.']] },
      'tls-hop.test': { A: ['127.0.0.1'] },
    });
    t = await startTestEngine({
      users: [CAROL, DAVE],
      env: { POSTERN_DNS_SERVER: dns.server },
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'mail.test', kind: 'LOCAL' });
        await createNetwork(db, CLI_ACTOR, { cidr: '127.0.0.2/32' });
        await updateSettings(db, CLI_ACTOR, { smtp_tcp_port: String(smtpPort), smtpd_error_sleep_time: '0', minimal_backoff_time: '1s' });
      },
    });
    lmtpRoot = mkdtempSync(path.join(os.tmpdir(), 'postern-lmtp-mail-'));
    dovecot = await startDovecot({ mailRoot: lmtpRoot, users: [DAVE] });
  });
  afterAll(async () => {
    await t?.stop();
    await dovecot?.stop();
    await dns?.close();
    await mx?.close();
    await tlsSink?.close();
    rmSync(lmtpRoot, { recursive: true, force: true });
  });

  it('delivers through LMTP into Dovecot when local_transport = lmtp:inet:host:port', async () => {
    await set({ local_transport: `lmtp:inet:127.0.0.1:${dovecot.lmtpPort}` });
    try {
      const r = await send(DAVE.address, 'by lmtp');
      expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
      const inbox = await waitFor(() => dovecot.fetchInbox(DAVE.address, DAVE.password), (m) => m.some((x) => x.includes('Subject: by lmtp')));
      expect(inbox.some((x) => x.includes('body of by lmtp'))).toBe(true);
      await t.engine.flushLog();
      const sent = await t.db.deliveryEvent.findFirst({ where: { event: 'delivery.sent', recipient: DAVE.address } });
      expect(sent?.text).toMatch(/^250 2\.0\.0 <dave@mail\.test> .* Saved/);
    } finally {
      await set({ local_transport: null });
    }
  });

  it('relays by MX from the configured DNS server, falling back to the next preference', async () => {
    const r = await send('someone@mx.test', 'via mx');
    expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    const got = await waitFor(() => mx.received.find((m) => m.to.includes('someone@mx.test')), Boolean);
    expect(got?.data).toContain('Subject: via mx');
    expect(dns.queries.some((q) => q.name === 'mx.test' && q.type === 15)).toBe(true);
    await t.engine.flushLog();
    const sent = await t.db.deliveryEvent.findFirst({ where: { event: 'delivery.sent', recipient: 'someone@mx.test' } });
    expect(sent?.text).toContain('Ok: queued as SINK1');
  });

  it('bounces at once for a domain that publishes a null MX (RFC 7505)', async () => {
    const r = await send('nobody@nullmx.test', 'to null mx', CAROL.address);
    expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    const bounce = await waitFor(() => maildir(CAROL.address), (m) => m.some((x) => x.includes('Undelivered Mail Returned to Sender') && x.includes('nobody@nullmx.test')));
    expect(bounce.find((x) => x.includes('nobody@nullmx.test'))).toMatch(/Status: 5\.1\.10/);
  });

  it('uses STARTTLS when the next hop offers it (smtp_tls_security_level = may)', async () => {
    tlsSink = await startSink({ tls: true });
    await set({ relayhost: `[127.0.0.1]:${tlsSink.port}`, smtp_tls_security_level: 'may' });
    try {
      await send('tls@example.net', 'over tls');
      const got = await waitFor(() => tlsSink.received.find((m) => m.to.includes('tls@example.net')), Boolean);
      expect(got?.secure).toBe(true);
      // The next hop is an IP literal ([127.0.0.1]): no SNI, which must be a host name (RFC 6066).
      expect(tlsSink.serverNames).toEqual([]);
      // A named next hop: its name is the SNI.
      await set({ relayhost: `[tls-hop.test]:${tlsSink.port}` });
      await send('named@example.net', 'over tls by name');
      expect(await waitFor(() => tlsSink.received.find((m) => m.to.includes('named@example.net')), Boolean)).toBeTruthy();
      expect(tlsSink.serverNames).toEqual(['tls-hop.test']);
      await set({ smtp_tls_security_level: 'none' });
      await send('plain@example.net', 'in the clear');
      const plain = await waitFor(() => tlsSink.received.find((m) => m.to.includes('plain@example.net')), Boolean);
      expect(plain?.secure).toBe(false);
    } finally {
      await set({ relayhost: null, smtp_tls_security_level: null });
    }
  });

  it('defers, never bounces, when TLS is required and the next hop does not offer it (smtp_tls_security_level = encrypt)', async () => {
    const plain = await startSink();
    await set({ relayhost: `[127.0.0.1]:${plain.port}`, smtp_tls_security_level: 'encrypt' });
    try {
      await send('needs-tls@example.net', 'tls or nothing', CAROL.address);
      const deferred = await waitFor(
        async () => {
          await t.engine.flushLog();
          return t.db.deliveryEvent.findFirst({ where: { event: 'delivery.deferred', recipient: 'needs-tls@example.net' } });
        },
        Boolean,
        15_000,
      );
      expect(deferred?.text).toMatch(/^TLS is required, but was not offered by host 127\.0\.0\.1\[127\.0\.0\.1\]$/);
      const log = readFileSync(path.join(t.dataDir, 'log', 'mail.log'), 'utf8');
      expect(log).toMatch(/to=<needs-tls@example\.net>, relay=.*dsn=4\.7\.4, status=deferred \(TLS is required, but was not offered by host 127\.0\.0\.1\[127\.0\.0\.1\]\)/);
      expect(plain.received).toHaveLength(0);
      // No bounce reached the sender.
      expect(maildir(CAROL.address).some((m) => m.includes('needs-tls@example.net'))).toBe(false);
    } finally {
      await set({ relayhost: null, smtp_tls_security_level: null });
      await plain.close();
    }
  });

  it('never opens more connections to one destination than default_destination_concurrency_limit', async () => {
    const slow = await startSink({ holdMs: 300 });
    await set({ relayhost: `[127.0.0.1]:${slow.port}`, default_destination_concurrency_limit: '2' });
    try {
      await Promise.all(Array.from({ length: 8 }, (_, i) => send(`c${i}@example.net`, `concurrent ${i}`)));
      await waitFor(() => slow.received.length, (n) => n >= 8, 15_000);
      expect(slow.received.length).toBe(8);
      expect(slow.maxOpen()).toBeLessThanOrEqual(2);
    } finally {
      await set({ relayhost: null, default_destination_concurrency_limit: null });
      await slow.close();
    }
  });

  it('bounces a delivery that would exceed the mailbox quota (5.2.2)', async () => {
    await createUser(t.db, CLI_ACTOR, { address: 'tiny@mail.test', password: 'tiny-password-1', role: 'USER', hasMailbox: true, quotaMb: 1 });
    // The console sets quotas in MB; 200 bytes makes any message too big without sending a megabyte.
    await t.db.user.update({ where: { address: 'tiny@mail.test' }, data: { quotaBytes: 200n } });
    await updateSettings(t.db, CLI_ACTOR, { smtpd_error_sleep_time: '0' }); // a new revision: the engine reloads the users
    await t.engine.refreshPolicy();
    await send('tiny@mail.test', 'too big for the quota', CAROL.address);
    const bounce = await waitFor(() => maildir(CAROL.address), (m) => m.some((x) => x.includes('tiny@mail.test') && x.includes('Status: 5.2.2')));
    expect(bounce.some((x) => x.includes('Disk quota exceeded'))).toBe(true);
  });

  it('makes a Maildir again when it was removed while running, at acceptance and from the queue', async () => {
    await send(CAROL.address, 'before the removal');
    await waitFor(() => maildir(CAROL.address), (m) => m.some((x) => x.includes('Subject: before the removal')));
    const box = maildirFor(path.join(t.dataDir, 'mail'), CAROL.address);
    rmSync(box, { recursive: true, force: true });
    // One local recipient: delivered before the 250.
    const r = await send(CAROL.address, 'after the removal');
    expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    expect(maildir(CAROL.address).some((x) => x.includes('Subject: after the removal'))).toBe(true);
    // Two recipients, one outside: the local copy goes through the queue.
    rmSync(box, { recursive: true, force: true });
    await createAlias(t.db, CLI_ACTOR, { address: 'pair@mail.test', targets: [CAROL.address, 'pair@mx.test'] });
    await t.engine.refreshPolicy();
    expect((await send('pair@mail.test', 'queued after the removal')).stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    const inbox = await waitFor(() => maildir(CAROL.address), (m) => m.some((x) => x.includes('Subject: queued after the removal')));
    expect(inbox).toHaveLength(1);
    await t.engine.flushLog();
    expect(await t.db.deliveryEvent.count({ where: { event: 'delivery.deferred', recipient: CAROL.address } })).toBe(0);
  });

  it('expands an alias to a local mailbox and an outside address', async () => {
    await createAlias(t.db, CLI_ACTOR, { address: 'both@mail.test', targets: [CAROL.address, 'outside@mx.test'] });
    await t.engine.refreshPolicy();
    await send('both@mail.test', 'to both');
    await waitFor(() => mx.received.find((m) => m.to.includes('outside@mx.test')), Boolean);
    const inbox = await waitFor(() => maildir(CAROL.address), (m) => m.some((x) => x.includes('Subject: to both')));
    expect(inbox.some((x) => x.includes('Subject: to both'))).toBe(true);
    expect(mx.received.find((m) => m.to.includes('outside@mx.test'))?.data).toContain('Subject: to both');
  });
});

describe.skipIf(!requireCommand('swaks') || !dovecotAvailable())("Postern's Maildir read by Dovecot", () => {
  // Postern and Dovecot share one unprivileged mail user, as in production: here nobody.
  it('delivers to a Maildir that Dovecot serves over IMAP', async () => {
    const p = await startPostern({ role: 'engine', user: NOBODY });
    const dovecot = await startDovecot({ mailRoot: path.join(p.dataDir, 'mail'), users: [CAROL] });
    try {
      const postern = (args: string[], input?: string) =>
        run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', ...posternEnvArgs(p.dataDir, args)], input);
      expect((await postern(['domain', 'add', 'mail.test', '--local'])).code).toBe(0);
      expect((await postern(['user', 'add', CAROL.address, '--password-stdin'], `${CAROL.password}\n`)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      const r = await swaks(['--server', `127.0.0.1:${p.ports.smtp}`, '--local-interface', '127.0.1.30', '--from', 'sender@example.org', '--to', CAROL.address, '--header', 'Subject: maildir to imap', '--body', 'read me over IMAP']);
      expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
      const inbox = await waitFor(() => dovecot.fetchInbox(CAROL.address, CAROL.password), (m) => m.some((x) => x.includes('Subject: maildir to imap')));
      const msg = inbox.find((x) => x.includes('Subject: maildir to imap'));
      expect(msg).toMatch(/^Return-Path: <sender@example\.org>\r?\nDelivered-To: carol@mail\.test\r?\n/);
      expect(msg).toContain('read me over IMAP');
    } finally {
      await dovecot.stop();
      await p.stop();
    }
  });
});
