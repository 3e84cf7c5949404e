// The SMTP conversation itself, over real sockets, where smtp-server leaves the decision
// to the application: Postfix's reply texts, pipelining rules, STARTTLS command injection,
// unknown parameters, bare <LF> command lines, VRFY, and the peers allowed to speak for
// others (XCLIENT, XFORWARD, the PROXY protocol). Limits and deadlines are in limits.test.ts.
// Each test changes the policy the way the console does and waits until the engine has it.
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useProtoEngine } from '../../helpers/proto-engine';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { sleep } from '../../helpers/wait';


describe('the SMTP conversation', () => {
  const { t, set } = useProtoEngine();

  it("answers with Postfix's texts", async () => {
    const { probe, greeting } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.1' });
    expect(greeting.text).toBe('220 mx.proto.test ESMTP Postern');
    const ehlo = await probe.cmd('EHLO client.example');
    expect(ehlo.lines[0]).toBe('250-mx.proto.test');
    expect(ehlo.lines).toContain('250-PIPELINING');
    expect((await probe.cmd('HELO client.example')).text).toBe('250 mx.proto.test');
    expect((await probe.cmd('MAIL FROM:<a@example.org>')).text).toBe('250 2.1.0 Ok');
    expect((await probe.cmd('RCPT TO:<alice@proto.test>')).text).toBe('250 2.1.5 Ok');
    expect((await probe.cmd('RSET')).text).toBe('250 2.0.0 Ok');
    expect((await probe.cmd('NOOP')).text).toBe('250 2.0.0 Ok');
    expect((await probe.cmd('FROB')).text).toBe('502 5.5.2 Error: command not recognized');
    expect((await probe.cmd('QUIT')).text).toBe('221 2.0.0 Bye');
    probe.close();
  });

  it('refuses MAIL and RCPT parameters it does not offer (555 5.5.4)', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.2' });
    await probe.cmd('EHLO client.example');
    expect((await probe.cmd('MAIL FROM:<a@example.org> FROB=1')).text).toBe('555 5.5.4 Unsupported option: FROB=1');
    expect((await probe.cmd('MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME')).code).toBe(250);
    expect((await probe.cmd('RCPT TO:<alice@proto.test> XYZZY')).text).toBe('555 5.5.4 Unsupported option: XYZZY');
    probe.close();
  });

  it('reject_unauth_pipelining refuses a client that sends its message before the 354', async () => {
    await set({ smtpd_data_restrictions: 'reject_unauth_pipelining' });
    try {
      const early = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.4' });
      await early.probe.cmd('EHLO client.example');
      await early.probe.cmd('MAIL FROM:<a@example.org>');
      await early.probe.cmd('RCPT TO:<alice@proto.test>');
      early.probe.write('DATA\r\nSubject: too early\r\n\r\nbody\r\n.\r\n');
      expect((await early.probe.read()).text).toBe('503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining');
      early.probe.close();
      // A client that waits for each reply (and one that pipelines where RFC 2920 allows) is fine.
      const polite = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.5' });
      await polite.probe.cmd('EHLO client.example');
      polite.probe.write('MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@proto.test>\r\n');
      expect((await polite.probe.read()).code).toBe(250);
      expect((await polite.probe.read()).code).toBe(250);
      expect((await polite.probe.cmd('DATA')).code).toBe(354);
      expect((await polite.probe.cmd('Subject: patient\r\n\r\nbody\r\n.')).text).toMatch(/^250 2\.0\.0 Ok: queued as [0-9A-F]+/);
      polite.probe.close();
    } finally {
      await set({ smtpd_data_restrictions: null });
    }
  });

  it('reject_unauth_pipelining in smtpd_sender_restrictions refuses a client that sent MAIL along with EHLO', async () => {
    await set({ smtpd_sender_restrictions: 'reject_unauth_pipelining' });
    try {
      const early = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.7' });
      early.probe.write('EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n');
      expect((await early.probe.read()).code).toBe(250);
      // smtpd_delay_reject = yes (the default): sender restrictions answer at RCPT, as in Postfix.
      expect((await early.probe.read()).text).toBe('250 2.1.0 Ok');
      expect((await early.probe.cmd('RCPT TO:<alice@proto.test>')).text).toBe('503 5.5.0 <a@example.org>: Sender address rejected: Improper use of SMTP command pipelining');
      early.probe.close();
      const polite = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.8' });
      await polite.probe.cmd('EHLO client.example');
      expect((await polite.probe.cmd('MAIL FROM:<a@example.org>')).text).toBe('250 2.1.0 Ok');
      expect((await polite.probe.cmd('RCPT TO:<alice@proto.test>')).text).toBe('250 2.1.5 Ok');
      polite.probe.close();
      // smtpd_delay_reject = no: the MAIL command itself is refused.
      await set({ smtpd_delay_reject: 'no' });
      const now = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.9' });
      now.probe.write('EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n');
      expect((await now.probe.read()).code).toBe(250);
      expect((await now.probe.read()).text).toBe('503 5.5.0 <a@example.org>: Sender address rejected: Improper use of SMTP command pipelining');
      now.probe.close();
    } finally {
      await set({ smtpd_sender_restrictions: null, smtpd_delay_reject: null });
    }
  });

  it('discards commands pipelined after STARTTLS (no command injection)', async () => {
    const sock = net.connect({ port: t.port(), host: '127.0.0.1', localAddress: '127.0.2.6' });
    const readLine = (s: net.Socket | tls.TLSSocket) =>
      new Promise<string>((resolve) => {
        let buf = '';
        const on = (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\r\n').filter(Boolean);
          const last = lines.at(-1) ?? '';
          if (buf.endsWith('\r\n') && /^\d{3} /.test(last)) {
            s.off('data', on);
            resolve(buf);
          }
        };
        s.on('data', on);
      });
    await readLine(sock);
    sock.write('EHLO client.example\r\n');
    await readLine(sock);
    // The injected RSET and MAIL ride in the same packet as STARTTLS, in plaintext.
    sock.write('STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n');
    expect(await readLine(sock)).toMatch(/^220 2\.0\.0 Ready to start TLS/);
    const secure = tls.connect({ socket: sock, rejectUnauthorized: false });
    let unsolicited = '';
    secure.on('data', (d) => (unsolicited += d.toString()));
    await new Promise((r) => secure.once('secureConnect', r));
    // Had the injected MAIL run inside TLS, its reply would arrive without being asked for.
    await sleep(300);
    expect(unsolicited).toBe('');
    secure.removeAllListeners('data');
    secure.write('EHLO client.example\r\n');
    expect(await readLine(secure)).toMatch(/^250-mx\.proto\.test\r\n/);
    secure.write('MAIL FROM:<honest@example.org>\r\n');
    expect(await readLine(secure)).toMatch(/^250 2\.1\.0 Ok/);
    secure.destroy();
  });

  it('normalizes a bare <LF> command terminator by default and refuses it with smtpd_forbid_bare_newline = reject', async () => {
    const a = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.10' });
    a.probe.write('EHLO client.example\n');
    expect((await a.probe.read()).code).toBe(250);
    a.probe.close();
    await set({ smtpd_forbid_bare_newline: 'reject' });
    try {
      const b = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.10' });
      b.probe.write('EHLO client.example\n');
      expect((await b.probe.read()).text).toBe('521 5.5.2 mx.proto.test Error: bare <LF> received');
      await sleep(100);
      expect(b.probe.isClosed).toBe(true);
    } finally {
      await set({ smtpd_forbid_bare_newline: null });
    }
  });

  it('counts junk commands past smtpd_junk_command_limit as errors, as Postfix 3.7 does (the limit+1st is the first)', async () => {
    // The sequence a private Postfix 3.7 gave for the same settings: seven junk commands
    // answered, the eighth met by 421 (4 errors: junk commands 4 to 7).
    await set({ smtpd_junk_command_limit: '3', smtpd_hard_error_limit: '4', smtpd_soft_error_limit: '100', smtpd_error_sleep_time: '0' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.12' });
      expect((await probe.cmd('EHLO client.example')).code).toBe(250);
      for (let i = 0; i < 7; i++) expect((await probe.cmd(i % 2 ? 'RSET' : 'NOOP')).code).toBe(250);
      expect((await probe.cmd('RSET')).text).toMatch(/^421 4\.7\.0 \S+ Error: too many errors$/);
      probe.close();
    } finally {
      await set({ smtpd_junk_command_limit: null, smtpd_hard_error_limit: null, smtpd_soft_error_limit: null, smtpd_error_sleep_time: null });
    }
  });

  it('refuses VRFY by default (no user enumeration), and answers as Postfix with disable_vrfy_command = no', async () => {
    const a = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.11' });
    expect((await a.probe.cmd('VRFY alice@proto.test')).text).toBe('502 5.5.1 VRFY command is disabled');
    a.probe.close();
    await set({ disable_vrfy_command: 'no' });
    try {
      const b = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.11' });
      expect((await b.probe.cmd('VRFY alice@proto.test')).text).toBe('252 2.0.0 alice@proto.test');
      expect((await b.probe.cmd('VRFY nobody@proto.test')).text).toBe('550 5.1.1 <nobody@proto.test>: Recipient address rejected: User unknown in local recipient table');
      b.probe.close();
    } finally {
      await set({ disable_vrfy_command: null });
    }
  });

  it('refuses a guessing client, never the user elsewhere, and forgets after the window', async () => {
    await set({ postern_auth_failure_limit: '3', postern_auth_failure_window: '3s' });
    try {
      const auth = async (from: string, user: string, password: string) => {
        const { probe } = await SmtpProbe.connect(t.port(), { localAddress: from });
        await probe.cmd('EHLO client.example');
        const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
        probe.close();
        return r.text;
      };
      for (let i = 0; i < 3; i++) expect(await auth('127.0.6.1', 'alice@proto.test', `guess-${i}`)).toMatch(/^535 5\.7\.8 Error: authentication failed/);
      // The guesser's address is refused even with the right password (and for other logins) ...
      expect(await auth('127.0.6.1', 'alice@proto.test', 'alice-password-1')).toMatch(/^454 4\.7\.0 /);
      expect(await auth('127.0.6.1', 'bob@proto.test', 'whatever-password')).toMatch(/^454 4\.7\.0 /);
      // ... but the user, from an address that did not fail, signs in at once: a stranger
      // cannot lock anybody out.
      expect(await auth('127.0.6.2', 'alice@proto.test', 'alice-password-1')).toMatch(/^235 2\.7\.0/);
      await sleep(3200);
      expect(await auth('127.0.6.1', 'alice@proto.test', 'alice-password-1')).toMatch(/^235 2\.7\.0/);
    } finally {
      await set({ postern_auth_failure_limit: null, postern_auth_failure_window: null });
    }
  });

  it('slows guesses at one account from many addresses, refuses none, and is the same for a login that does not exist', async () => {
    const auth = async (from: string, user: string, password: string) => {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: from });
      await probe.cmd('EHLO client.example');
      const started = Date.now();
      const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
      probe.close();
      return { text: r.text, ms: Date.now() - started };
    };
    // alice has signed in from 127.0.9.1 before: a known address for her.
    expect((await auth('127.0.9.1', 'alice@proto.test', 'alice-password-1')).text).toMatch(/^235 /);
    // Twelve wrong passwords for alice and for a login nobody has, each from its own address.
    for (const user of ['alice@proto.test', 'nobody@proto.test']) {
      for (let i = 0; i < 12; i++) expect((await auth(`127.0.${user.startsWith('a') ? 10 : 11}.${i + 1}`, user, `guess-${i}`)).text).toMatch(/^535 5\.7\.8 /);
    }
    // From a new address the right password still works, after a delay (≥ 1 s) ...
    const fresh = await auth('127.0.12.1', 'alice@proto.test', 'alice-password-1');
    expect(fresh.text).toMatch(/^235 2\.7\.0/);
    expect(fresh.ms).toBeGreaterThanOrEqual(1000);
    // ... a wrong one takes as long (no timing oracle), and a login that does not exist too ...
    const wrong = await auth('127.0.12.2', 'alice@proto.test', 'wrong-password');
    const ghost = await auth('127.0.12.3', 'nobody@proto.test', 'wrong-password');
    expect(wrong.text).toMatch(/^535 5\.7\.8 /);
    expect(ghost.text).toBe(wrong.text);
    expect(wrong.ms).toBeGreaterThanOrEqual(1000);
    expect(ghost.ms).toBeGreaterThanOrEqual(1000);
    // ... and from her known address at once.
    const home = await auth('127.0.9.1', 'alice@proto.test', 'alice-password-1');
    expect(home.text).toMatch(/^235 2\.7\.0/);
    expect(home.ms).toBeLessThan(500);
  });

  it('accepts XCLIENT only from smtpd_authorized_xclient_hosts, and then judges the client it names', async () => {
    await set({ smtpd_authorized_xclient_hosts: '127.0.3.1' });
    try {
      const stranger = await SmtpProbe.connect(t.port(), { localAddress: '127.0.3.2' });
      expect((await stranger.probe.cmd('EHLO client.example')).text).not.toContain('XCLIENT');
      expect((await stranger.probe.cmd('XCLIENT ADDR=127.0.0.2')).text).toBe('550 5.7.0 Error: insufficient authorization');
      stranger.probe.close();

      const proxy = await SmtpProbe.connect(t.port(), { localAddress: '127.0.3.1' });
      expect((await proxy.probe.cmd('EHLO proxy.example')).text).toContain('XCLIENT');
      // The proxy speaks for an untrusted client: relaying is refused for it.
      expect((await proxy.probe.cmd('XCLIENT ADDR=192.0.2.77 NAME=[UNAVAILABLE]')).code).toBe(220);
      await proxy.probe.cmd('EHLO client.example');
      await proxy.probe.cmd('MAIL FROM:<a@example.org>');
      expect((await proxy.probe.cmd('RCPT TO:<x@elsewhere.example>')).text).toMatch(/^554 5\.7\.1 <x@elsewhere\.example>: Relay access denied/);
      proxy.probe.close();
      // ... and for a client in mynetworks it is allowed, exactly as if it had connected itself.
      const proxy2 = await SmtpProbe.connect(t.port(), { localAddress: '127.0.3.1' });
      await proxy2.probe.cmd('EHLO proxy.example');
      await proxy2.probe.cmd('XCLIENT ADDR=127.0.0.2');
      await proxy2.probe.cmd('EHLO client.example');
      await proxy2.probe.cmd('MAIL FROM:<a@example.org>');
      expect((await proxy2.probe.cmd('RCPT TO:<x@elsewhere.example>')).code).toBe(250);
      proxy2.probe.close();
      await t.engine.flushLog();
      const rows = await t.db.deliveryEvent.findMany({ where: { event: 'smtp.rejected', recipient: 'x@elsewhere.example' } });
      expect(rows.some((r) => r.clientAddress === '192.0.2.77')).toBe(true);
    } finally {
      await set({ smtpd_authorized_xclient_hosts: null });
    }
  });

  it('reads a PROXY protocol header only from postern_proxy_protocol_hosts', async () => {
    await set({ postern_proxy_protocol_hosts: '127.0.4.1' });
    try {
      const lb = net.connect({ port: t.port(), host: '127.0.0.1', localAddress: '127.0.4.1' });
      await new Promise((r) => lb.once('connect', r));
      lb.write('PROXY TCP4 198.51.100.3 127.0.0.1 40000 25\r\n');
      const greeting = await new Promise<string>((r) => lb.once('data', (d) => r(d.toString())));
      expect(greeting).toMatch(/^220 mx\.proto\.test/);
      lb.write('EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<y@elsewhere.example>\r\n');
      let replies = '';
      for (let i = 0; i < 20 && !/554 5\.7\.1/.test(replies); i++) replies += await new Promise<string>((r) => lb.once('data', (d) => r(d.toString())));
      expect(replies).toContain('554 5.7.1 <y@elsewhere.example>: Relay access denied');
      lb.destroy();
      await t.engine.flushLog();
      const row = await t.db.deliveryEvent.findFirst({ where: { event: 'smtp.rejected', recipient: 'y@elsewhere.example' } });
      expect(row?.clientAddress).toBe('198.51.100.3');
      // From any other peer a PROXY line is just an unknown command.
      const other = await SmtpProbe.connect(t.port(), { localAddress: '127.0.4.2' });
      expect((await other.probe.cmd('PROXY TCP4 198.51.100.3 127.0.0.1 40000 25')).code).toBe(502);
      other.probe.close();
    } finally {
      await set({ postern_proxy_protocol_hosts: null });
    }
  });
});
