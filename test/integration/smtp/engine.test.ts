// The engine over real sockets with real clients (swaks, Python's smtplib, nodemailer):
// relay control for trusted and untrusted sources, AUTH after STARTTLS, local delivery to
// Maildir, relay through relayhost, bounces, live policy pickup without a restart, and the
// hostile-input rules (bare LF, oversize, AUTH in a transaction, impersonation, errors).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createDomain } from '../../../server/services/domains/create-domain';
import { createNetwork } from '../../../server/services/networks/create-network';
import { updateSettings } from '../../../server/services/settings/update-settings';
import { resetUserPassword } from '../../../server/services/users/set-user-password';
import { createAlias } from '../../../server/services/aliases/create-alias';
import { maildirFor } from '../../../mail-engine/delivery/deliver-maildir';
import { pythonSmtp, run, swaks } from '../../helpers/clients';
import { requireCommand } from '../../helpers/env';
import { startSink } from '../../helpers/sink';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';
import { waitFor } from '../../helpers/wait';

const HAVE_TOOLS = requireCommand('swaks') && requireCommand('python3');
const ALICE = { address: 'alice@test.net', password: 'alice-password-1' };
const BOB = { address: 'bob@test.net', password: 'bob-password-12' };

const maildirNew = (t: TestEngine, address: string) => {
  try {
    const dir = path.join(maildirFor(path.join(t.dataDir, 'mail'), address), 'new');
    return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
  } catch {
    return [];
  }
};

describe.skipIf(!HAVE_TOOLS)('SMTP engine over real sockets', () => {
  let t: TestEngine;
  let sink: Awaited<ReturnType<typeof startSink>>;
  beforeAll(async () => {
    sink = await startSink({ rejectRcpt: (r) => (r.startsWith('nosuchuser@') ? { code: 550, message: '5.1.1 <nosuchuser>: Recipient address rejected: User unknown' } : undefined) });
    t = await startTestEngine({
      users: [ALICE, BOB],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'test.net', kind: 'LOCAL' });
        await createNetwork(db, CLI_ACTOR, { cidr: '127.0.0.2/32' });
        await createAlias(db, CLI_ACTOR, { address: 'team@test.net', targets: ['alice@test.net', 'bob@test.net'] });
        await updateSettings(db, CLI_ACTOR, {
          relayhost: `[127.0.0.1]:${sink.port}`,
          smtpd_error_sleep_time: '0',
          message_size_limit: '200000',
          smtp_tls_security_level: 'none',
          minimal_backoff_time: '1s',
          // Plaintext AUTH on the smtpd port, on purpose (secure-defaults.test.ts has the default).
          smtpd_tls_auth_only: 'no',
        });
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.close();
  });

  it('refuses to relay for an untrusted, unauthenticated client (swaks from 127.0.1.9)', async () => {
    const r = await swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.1.9', '--from', 'a@b.org', '--to', 'x@example.org', '--quit-after', 'RCPT']);
    expect(r.stdout).toMatch(/<\*\* 554 5\.7\.1 <x@example\.org>: Relay access denied/);
  });

  it('relays for a client in mynetworks through relayhost (swaks from 127.0.0.2)', async () => {
    const r = await swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.0.2', '--from', 'a@b.org', '--to', 'out1@example.org', '--header', 'Subject: relay-1']);
    expect(r.stdout).toMatch(/<- {2}250 2\.0\.0 Ok: queued as [0-9A-F]+/);
    const got = await waitFor(() => sink.received.find((m) => m.to.includes('out1@example.org')), Boolean);
    expect(got?.data).toContain('Subject: relay-1');
    expect(got?.data).toMatch(/^Received: from .* \(unknown \[127\.0\.0\.2\]\)/m);
  });

  it('delivers to a local Maildir with smtplib, expanding aliases', async () => {
    const r = await pythonSmtp({ port: t.port(), source: '127.0.1.9', from: 'sender@example.org', to: ['team@test.net'], body: 'Subject: hello team\r\n\r\nhi\r\n' });
    expect(r.stdout).toMatch(/^DATA 250 b'2\.0\.0 Ok: queued as/m);
    const alice = await waitFor(() => maildirNew(t, 'alice@test.net'), (l) => l.some((m) => m.includes('hello team')));
    const bob = await waitFor(() => maildirNew(t, 'bob@test.net'), (l) => l.some((m) => m.includes('hello team')));
    expect(alice.find((m) => m.includes('hello team'))).toMatch(/^Return-Path: <sender@example\.org>\r\nDelivered-To: alice@test\.net\r\n/);
    expect(bob.some((m) => m.includes('hello team'))).toBe(true);
  });

  it('delivers a message for one mailbox before its 250, and logs it as Postfix would', async () => {
    const r = await pythonSmtp({ port: t.port(), source: '127.0.1.9', from: 'sender@example.org', to: ['bob@test.net'], body: 'Subject: before the reply\r\n\r\nhi\r\n' });
    const queueId = /^DATA 250 b'2\.0\.0 Ok: queued as ([0-9A-F]+)/m.exec(r.stdout)?.[1];
    expect(queueId).toBeTruthy();
    // No waiting: it was in the mailbox (fsync'd, renamed into new/) when the client read the 250.
    expect(maildirNew(t, 'bob@test.net').filter((m) => m.includes('Subject: before the reply'))).toHaveLength(1);
    // Nothing for the queue: the message never needed a queue copy.
    expect(await t.db.message.findUnique({ where: { id: queueId! } })).toBeNull();
    const lines = await waitFor(
      () => readFileSync(path.join(t.dataDir, 'log', 'mail.log'), 'utf8').split('\n').filter((l) => l.includes(`${queueId}: `)),
      (l) => l.some((x) => x.includes(': removed')),
    );
    // Accepted (smtpd's client= line), then delivered, then removed, as a queued message is.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const accepted = at(/postfix\/smtpd\[\d+\]: [0-9A-F]+: client=unknown\[127\.0\.1\.9\]/);
    const sent = at(/postfix\/local\[\d+\]: [0-9A-F]+: to=<bob@test\.net>, relay=local, delay=[\d.]+, delays=[\d./]+, dsn=2\.0\.0, status=sent \(delivered to maildir\)/);
    const removed = at(/postfix\/qmgr\[\d+\]: [0-9A-F]+: removed$/);
    // qmgr's size= is the message as received (pflogsumm adds these up as bytes received).
    const size = Number(/postfix\/qmgr\[\d+\]: [0-9A-F]+: from=<sender@example\.org>, size=(\d+), nrcpt=1/.exec(lines.join('\n'))?.[1]);
    expect(size).toBeGreaterThan('Subject: before the reply\r\n\r\nhi\r\n'.length);
    expect(accepted).toBeGreaterThanOrEqual(0);
    expect(sent).toBeGreaterThan(accepted);
    expect(removed).toBeGreaterThan(sent);
  });

  it('answers 451 when the mailbox cannot take the message, and delivers once it can', async () => {
    const send = () => pythonSmtp({ port: t.port(), source: '127.0.1.9', from: 'sender@example.org', to: ['alice@test.net'], body: 'Subject: blocked tmp\r\n\r\nhi\r\n' });
    expect((await send()).stdout).toMatch(/^DATA 250 /m);
    // tmp/ replaced by a file: the delivery cannot be written.
    const tmp = path.join(maildirFor(path.join(t.dataDir, 'mail'), 'alice@test.net'), 'tmp');
    rmSync(tmp, { recursive: true });
    writeFileSync(tmp, 'not a directory');
    const before = maildirNew(t, 'alice@test.net').filter((m) => m.includes('Subject: blocked tmp')).length;
    try {
      expect((await send()).stdout).toMatch(/^DATA 451 b'4\.3\.0 Error: queue file write error'/m);
      expect(maildirNew(t, 'alice@test.net').filter((m) => m.includes('Subject: blocked tmp'))).toHaveLength(before);
    } finally {
      rmSync(tmp);
      mkdirSync(tmp);
    }
    expect((await send()).stdout).toMatch(/^DATA 250 /m);
    expect(maildirNew(t, 'alice@test.net').filter((m) => m.includes('Subject: blocked tmp'))).toHaveLength(before + 1);
  });

  it('answers 550 5.1.1 for an unknown local user', async () => {
    const r = await swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.1.9', '--from', 'a@b.org', '--to', 'nobody@test.net', '--quit-after', 'RCPT']);
    expect(r.stdout).toContain('550 5.1.1 <nobody@test.net>: Recipient address rejected: User unknown in local recipient table');
  });

  it('accepts AUTH PLAIN and LOGIN only after STARTTLS on submission, then relays', async () => {
    const port = t.port('submission');
    const plainText = await swaks(['--server', `127.0.0.1:${port}`, '--local-interface', '127.0.1.9', '--auth', 'PLAIN', '--auth-user', ALICE.address, '--auth-password', ALICE.password, '--from', ALICE.address, '--to', 'x@example.org', '--quit-after', 'AUTH']);
    expect(plainText.stdout).not.toMatch(/235 2\.7\.0/);
    for (const mech of ['PLAIN', 'LOGIN']) {
      const r = await swaks(['--server', `127.0.0.1:${port}`, '--local-interface', '127.0.1.9', '--tls', '--auth', mech, '--auth-user', ALICE.address, '--auth-password', ALICE.password, '--from', ALICE.address, '--to', `sub-${mech}@example.org`]);
      expect(r.stdout, r.stdout).toMatch(/235 2\.7\.0 Authentication successful/);
      expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    }
    const bad = await swaks(['--server', `127.0.0.1:${port}`, '--local-interface', '127.0.1.9', '--tls', '--auth', 'PLAIN', '--auth-user', ALICE.address, '--auth-password', 'wrong', '--quit-after', 'AUTH']);
    expect(bad.stdout).toMatch(/535 5\.7\.8 Error: authentication failed/);
    const unknown = await swaks(['--server', `127.0.0.1:${port}`, '--local-interface', '127.0.1.9', '--tls', '--auth', 'PLAIN', '--auth-user', 'ghost@test.net', '--auth-password', 'wrong', '--quit-after', 'AUTH']);
    expect(unknown.stdout).toMatch(/535 5\.7\.8 Error: authentication failed: authentication failure/);
  });

  it('refuses a PLAIN authorization id that differs from the login (impersonation)', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.1.9' });
    await probe.cmd('EHLO x.example');
    const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`bob@test.net\0${ALICE.address}\0${ALICE.password}`).toString('base64')}`);
    expect(r.text).toMatch(/^535 5\.7\.8/);
    probe.close();
  });

  it('relays with nodemailer after AUTH on the smtpd port, and signs nothing for unauthenticated senders', async () => {
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port: t.port(), secure: false, tls: { rejectUnauthorized: false }, auth: { user: ALICE.address, pass: ALICE.password }, localAddress: '127.0.1.9' } as nodemailer.TransportOptions);
    const info = await tr.sendMail({ from: ALICE.address, to: 'nm@example.org', subject: 'via nodemailer', text: 'x' });
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as/);
    await waitFor(() => sink.received.find((m) => m.to.includes('nm@example.org')), Boolean);
  });

  it('refuses AUTH inside a mail transaction with 503', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.1.9' });
    await probe.cmd('EHLO x.example');
    expect((await probe.cmd('MAIL FROM:<a@b.org>')).code).toBe(250);
    const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${ALICE.address}\0${ALICE.password}`).toString('base64')}`);
    expect(r.text).toMatch(/^503 5\.5\.1 Error: MAIL transaction in progress/);
    probe.close();
  });

  it('rejects bare LF line endings in DATA (no SMTP smuggling)', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.0.2' });
    await probe.cmd('EHLO x.example');
    await probe.cmd('MAIL FROM:<a@b.org>');
    await probe.cmd('RCPT TO:<alice@test.net>');
    expect((await probe.cmd('DATA')).code).toBe(354);
    probe.write('Subject: smuggle\r\n\r\nline\n.\nMAIL FROM:<evil@x>\r\n.\r\n');
    const r = await probe.read();
    expect(r.text).toMatch(/^550 5\.5\.2 Error: bare <CR> or <LF> received/);
    probe.close();
    await new Promise((res) => setTimeout(res, 500));
    expect(maildirNew(t, 'alice@test.net').some((m) => m.includes('smuggle'))).toBe(false);
  });

  it('refuses oversize messages with 552 5.3.4, at MAIL (SIZE=) and after DATA', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.0.2' });
    await probe.cmd('EHLO x.example');
    expect((await probe.cmd('MAIL FROM:<a@b.org> SIZE=999999999')).text).toMatch(/^552 5\.3\.4/);
    await probe.cmd('MAIL FROM:<a@b.org>');
    await probe.cmd('RCPT TO:<alice@test.net>');
    await probe.cmd('DATA');
    probe.write(`Subject: big\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(1).concat(`${'y'.repeat(990)}\r\n`.repeat(260)) + '.\r\n');
    expect((await probe.read()).text).toMatch(/^552 5\.3\.4/);
    probe.close();
  });

  it('disconnects after smtpd_hard_error_limit errors, whatever caused them', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.1.8' });
    await probe.cmd('EHLO x.example');
    await probe.cmd('MAIL FROM:<a@b.org>');
    let last = '';
    for (let i = 0; i < 25 && !probe.isClosed; i++) last = (await probe.cmd(`RCPT TO:<r${i}@example.org>`)).text;
    expect(last).toMatch(/^421 4\.7\.0 .* Error: too many errors|\(connection closed\)/);
    expect(probe.isClosed || (await probe.read(3000).catch(() => ({ code: 0 }))).code === 0).toBe(true);
  });

  it('picks up a new trusted network on the next transaction of an open connection, no restart', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.1.5' });
    await probe.cmd('EHLO x.example');
    await probe.cmd('MAIL FROM:<a@b.org>');
    expect((await probe.cmd('RCPT TO:<live@example.org>')).code).toBe(554);
    const saved = Date.now();
    await createNetwork(t.db, CLI_ACTOR, { cidr: '127.0.1.5/32' });
    let code = 0;
    while (Date.now() - saved < 3000) {
      await probe.cmd('RSET');
      await probe.cmd('MAIL FROM:<a@b.org>');
      code = (await probe.cmd('RCPT TO:<live@example.org>')).code;
      if (code === 250) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(code).toBe(250);
    expect(Date.now() - saved).toBeLessThan(1000);
    probe.close();
  });

  it('uses a changed password at once: the old one fails, the new one works', async () => {
    await resetUserPassword(t.db, CLI_ACTOR, BOB.address, 'bob-new-password-2');
    const auth = async (pw: string) => {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.1.20' });
      await probe.cmd('EHLO x.example');
      const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${BOB.address}\0${pw}`).toString('base64')}`);
      probe.close();
      return r.code;
    };
    expect(await auth(BOB.password)).toBe(535);
    expect(await auth('bob-new-password-2')).toBe(235);
  });

  it('bounces a permanent relay failure to the sender with an RFC 3464 report', async () => {
    const r = await swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.0.2', '--from', ALICE.address, '--to', 'nosuchuser@example.org', '--header', 'Subject: will bounce']);
    expect(r.stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
    const box = await waitFor(() => maildirNew(t, ALICE.address), (l) => l.some((m) => m.includes('Undelivered Mail Returned to Sender')));
    const dsn = box.find((m) => m.includes('Undelivered Mail Returned to Sender'))!;
    expect(dsn).toMatch(/^Return-Path: <>/);
    expect(dsn).toContain('Content-Type: multipart/report; report-type=delivery-status');
    expect(dsn).toMatch(/Final-Recipient: rfc822; nosuchuser@example\.org\r\nAction: failed\r\nStatus: 5\.1\.1/);
    expect(dsn).toContain('Subject: will bounce');
  });

  it('writes every decision to DeliveryEvent rows and Postfix-format lines', async () => {
    await t.engine.close().catch(() => {});
    const rows = await t.db.deliveryEvent.findMany({ where: { event: 'smtp.rejected', recipient: 'x@example.org' } });
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.parse(rows[0]!.trace).map((s: { fact: string }) => s.fact)).toContain('example.org is not a local or relay domain');
    const log = readFileSync(path.join(t.dataDir, 'log', 'mail.log'), 'utf8');
    expect(log).toMatch(/postfix\/smtpd\[\d+\]: NOQUEUE: reject: RCPT from unknown\[127\.0\.1\.9\]: 554 5\.7\.1 <x@example\.org>: Relay access denied; from=<a@b\.org> to=<x@example\.org> proto=ESMTP helo=<[^>]+>/);
    expect(log).toMatch(/postfix\/local\[\d+\]: [0-9A-F]+: to=<alice@test\.net>, orig_to=<team@test\.net>, relay=local, .*status=sent/);
    expect(log).toMatch(/warning: unknown\[127\.0\.1\.9\]: SASL PLAIN authentication failed/);
  });

  it.skipIf(!requireCommand('pflogsumm'))('produces a log pflogsumm summarises correctly', async () => {
    const logFile = path.join(t.dataDir, 'log', 'mail.log');
    // Messages received over SMTP (Postfix logs "client=" for each; bounces it makes itself are not "received").
    const accepted = (readFileSync(logFile, 'utf8').match(/postfix\/smtpd\[\d+\]: [0-9A-F]+: client=/g) ?? []).length;
    expect(accepted).toBeGreaterThan(3);
    const r = await run('pflogsumm', ['--problems-first', logFile]);
    expect(r.code).toBe(0);
    expect(Number(/^\s*(\d+)\s+received$/m.exec(r.stdout)?.[1])).toBe(accepted);
    // Bytes received and senders: qmgr's size= and from= of each message that arrived over
    // SMTP (pflogsumm counts them only after that message's smtpd client= line).
    const log = readFileSync(logFile, 'utf8');
    const arrived = new Set([...log.matchAll(/postfix\/smtpd\[\d+\]: ([0-9A-F]+): client=/g)].map((m) => m[1]));
    const queued = [...log.matchAll(/postfix\/qmgr\[\d+\]: ([0-9A-F]+): from=<([^>]*)>, size=(\d+)/g)].filter((m) => arrived.has(m[1]));
    const bytes = queued.reduce((n, m) => n + Number(m[3]), 0);
    expect(bytes).toBeGreaterThan(0);
    const unit = /^\s*(\d+)([km]?)\s+bytes received$/m.exec(r.stdout);
    expect(unit?.[2] ? Number(unit[1]) * (unit[2] === 'k' ? 1024 : 1048576) : Number(unit?.[1])).toBeCloseTo(bytes, -4);
    expect(Number(/^\s*(\d+)\s+senders$/m.exec(r.stdout)?.[1])).toBe(new Set(queued.map((m) => m[2])).size);
    expect(Number(/^\s*(\d+)\s+rejected/m.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(Number(/^\s*(\d+)\s+delivered$/m.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(Number(/^\s*(\d+)\s+bounced$/m.exec(r.stdout)?.[1])).toBe(1);
    expect(r.stdout).toMatch(/Relay access denied/);
    // Every STARTTLS session has Postfix's line (tools and people grep for it).
    expect(readFileSync(logFile, 'utf8')).toMatch(/postfix\/smtpd\[\d+\]: Anonymous TLS connection established from unknown\[127\.0\.1\.9\]: TLSv1\.[23] with cipher \S+ \((128|256)\/(128|256) bits\)/);
  });

  it.skipIf(!requireCommand('fail2ban-regex'))("matches fail2ban's postfix and postfix[mode=auth] filters", async () => {
    const logFile = path.join(t.dataDir, 'log', 'mail.log');
    const log = readFileSync(logFile, 'utf8');
    const rejects = (log.match(/NOQUEUE: reject: RCPT from unknown\[[\d.]+\]: 5\d\d /g) ?? []).length;
    const authFails = (log.match(/SASL (PLAIN|LOGIN) authentication failed/g) ?? []).length;
    const normal = await run('fail2ban-regex', [logFile, 'postfix']);
    expect(Number(/Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(normal.stdout)?.[1])).toBeGreaterThanOrEqual(rejects);
    const auth = await run('fail2ban-regex', [logFile, 'postfix[mode=auth]']);
    expect(Number(/Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(auth.stdout)?.[1])).toBe(authFails);
    expect(authFails).toBeGreaterThan(0);
  });
});
