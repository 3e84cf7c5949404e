// DKIM, SPF and DMARC end to end, against `postern serve` and a loopback DNS server, checked
// by tools nobody here wrote: mail that a user submits is signed with the domain's keys
// (RSA and Ed25519) and dkimpy (Debian's python3-dkim) verifies it with the record `postern
// dkim show` printed, and refuses it once a byte of the body changes; mail from a foreign
// domain signed with its own key (by dkimpy) arrives with dkim=pass spf=pass dmarc=pass in
// our Authentication-Results, and a forged one claiming our host name is removed; mail
// forged under p=reject is refused 550 5.7.1 at end of DATA; a rotation signs with the new
// selector only once DNS serves it.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailRootOf, maildirFor } from '../../../mail-engine/delivery/deliver-maildir';
import { pythonSmtp, run } from '../../helpers/clients';
import { startDnsServer } from '../../helpers/dns-server';
import { startSink } from '../../helpers/sink';
import { waitFor } from '../../helpers/wait';
import { posternEnvArgs, startPostern, type RunningPostern } from '../../helpers/start-postern';
import { until } from '../../helpers/wait';
import { requireDkimpy } from '../../helpers/env';

const DANA = { address: 'dana@shop.example', password: 'dana-long-password-1' };
const ERIN = 'erin@shop.example';
const MYHOST = 'mx.shop.example';

// dkimpy: sign with a key, or verify every signature with DNS answered from a given map.
const DKIMPY = String.raw`
import json, sys, dkim
o = json.load(sys.stdin)
msg = o['message'].encode('latin1')
if o['op'] == 'sign':
    sig = dkim.sign(msg, o['selector'].encode(), o['domain'].encode(), o['key'].encode(), include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
    sys.stdout.write((sig + msg).decode('latin1'))
else:
    records = o['records']
    def dnsfunc(name, timeout=5):
        return records.get(name.decode().rstrip('.'), '').encode()
    if o['op'] == 'arc':
        cv, results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
        print(json.dumps({'cv': cv.decode(), 'reason': reason}))
        sys.exit(0)
    d = dkim.DKIM(msg)
    sigs = [l for l in msg.split(b'\r\n\r\n')[0].split(b'\r\n') if l.lower().startswith(b'dkim-signature:')]
    def one(i):
        try:
            return d.verify(idx=i, dnsfunc=dnsfunc)
        except dkim.ValidationError:
            return False
    print(json.dumps([one(i) for i in range(len(sigs))]))
`;
const dkimpy = async (o: Record<string, unknown>) => {
  // Debian's python3, where python3-dkim is installed (not a python3 earlier on the PATH).
  const r = await run('/usr/bin/python3', ['-c', DKIMPY], JSON.stringify(o));
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
};

/** The DNS records a `NAME TXT "a" "b"` line names, as dkimpy's dnsfunc answers them. */
const parseRecordLines = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes(' TXT '))
      .map((l) => [l.slice(0, l.indexOf(' ')).replace(/\.$/, ''), [...l.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')]),
  );

const message = (from: string, to: string, subject: string, extra = '') =>
  `From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@test>\r\n${extra}\r\nHello ${subject}.\r\n`;

describe.skipIf(!requireDkimpy())('mail authentication (DKIM, SPF, DMARC)', () => {
  let p: RunningPostern;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  const cli = (args: string[], input?: string) => run('env', posternEnvArgs(p.dataDir, args, { POSTERN_DNS_SERVER: dns.server }), input);
  const inbox = (address: string) => path.join(maildirFor(mailRootOf(p.dataDir), address), 'new');
  /** Waits for one new message in the mailbox and returns it (removing it). */
  const nextMessage = async (address: string) => {
    let file = '';
    await until(async () => {
      try {
        file = readdirSync(inbox(address))[0] ?? '';
      } catch {
        file = '';
      }
      return !!file;
    }, 15_000);
    const text = readFileSync(path.join(inbox(address), file), 'latin1');
    rmSync(path.join(inbox(address), file));
    return text;
  };
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreignPem = foreign.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const foreignP = foreign.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  beforeAll(async () => {
    dns = await startDnsServer({
      'sender.example': { TXT: ['v=spf1 ip4:127.0.40.1 -all'] },
      '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
      'sel1._domainkey.sender.example': { TXT: [`v=DKIM1; k=rsa; p=${foreignP}`] },
    });
    p = await startPostern({ env: { POSTERN_DNS_SERVER: dns.server } });
    for (const args of [['set', `myhostname=${MYHOST}`], ['domain', 'add', 'shop.example', '--local']]) expect((await cli(args)).code).toBe(0);
    expect((await cli(['user', 'add', DANA.address, '--password-stdin'], `${DANA.password}\n`)).code).toBe(0);
    expect((await cli(['user', 'add', ERIN, '--password-stdin'], 'erin-long-password-1\n')).code).toBe(0);
  });
  afterAll(async () => {
    await p?.stop();
    await dns?.close();
  });

  it('signs a user’s mail with RSA and Ed25519 keys that dkimpy verifies, and not after a byte changes', async () => {
    const rsa = await cli(['dkim', 'generate', 'shop.example', '--selector', 'r1']);
    expect(rsa.stdout).toMatch(/^signing now with r1 for shop\.example \(rsa\)/);
    expect((await cli(['dkim', 'generate', 'shop.example', '--selector', 'e1', '--algorithm', 'ed25519'])).code).toBe(0);
    const shown = await cli(['dkim', 'show', 'shop.example']);
    expect(shown.stdout).toMatch(/^r1\._domainkey\.shop\.example\. TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+" "[A-Za-z0-9+/=]+"$/m);
    expect(shown.stdout).toMatch(/^e1\._domainkey\.shop\.example\. TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/m);
    const records = parseRecordLines(shown.stdout);

    const sent = await pythonSmtp({ port: p.ports.submission, starttls: true, login: [DANA.address, DANA.password], from: DANA.address, to: [ERIN], body: message(DANA.address, ERIN, 'signed one') });
    expect(sent.stdout).toMatch(/^DATA 250/m);
    const stored = await nextMessage(ERIN);
    expect(stored).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=shop\.example;/m);
    expect(stored).toMatch(/^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed\/relaxed; d=shop\.example;/m);
    expect(JSON.parse(await dkimpy({ op: 'verify', message: stored, records }))).toEqual([true, true]);
    const tampered = stored.replace('Hello signed one.', 'Hello signed onE.');
    expect(JSON.parse(await dkimpy({ op: 'verify', message: tampered, records }))).toEqual([false, false]);
  });

  // Past postern_body_memory_limit (256 KiB) the message is signed and checked from its spool file.
  const large = (from: string, to: string, subject: string, extra = '') =>
    message(from, to, subject, extra) + Array.from({ length: 20_000 }, (_, i) => `${subject} line ${i} ${'x'.repeat(50)}`).join('\r\n') + '\r\n';

  it('signs a 1.4 MB message from its spool file, and dkimpy verifies it', async () => {
    const records = parseRecordLines((await cli(['dkim', 'show', 'shop.example'])).stdout);
    const body = large(DANA.address, ERIN, 'signed large');
    expect(body.length).toBeGreaterThan(1_000_000);
    const sent = await pythonSmtp({ port: p.ports.submission, starttls: true, login: [DANA.address, DANA.password], from: DANA.address, to: [ERIN], body });
    expect(sent.stdout).toMatch(/^DATA 250/m);
    const stored = await nextMessage(ERIN);
    expect(stored.endsWith('signed large line 19999 ' + 'x'.repeat(50) + '\r\n')).toBe(true);
    expect(JSON.parse(await dkimpy({ op: 'verify', message: stored, records }))).toEqual([true, true]);
    const tampered = stored.replace('signed large line 19999 x', 'signed large line 19999 y');
    expect(JSON.parse(await dkimpy({ op: 'verify', message: tampered, records }))).toEqual([false, false]);
  });

  it('checks a 1.4 MB foreign message from its spool file: dkim, spf and dmarc pass, the forged result is gone', async () => {
    const forged = `Authentication-Results: ${MYHOST}; dkim=pass header.d=bank.example\r\n`;
    const signed = await dkimpy({ op: 'sign', selector: 'sel1', domain: 'sender.example', key: foreignPem, message: forged + large('bob@sender.example', ERIN, 'large from afar') });
    const sent = await pythonSmtp({ port: p.ports.smtp, source: '127.0.40.1', from: 'bob@sender.example', to: [ERIN], body: signed });
    expect(sent.stdout).toMatch(/^DATA 250/m);
    const stored = await nextMessage(ERIN);
    const results = stored.match(/^Authentication-Results: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*/gm) ?? [];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatch(/dkim=pass header\.i=@sender\.example header\.s=sel1/);
    expect(results[0]).toMatch(/dmarc=pass[^;]*header\.from=sender\.example/);
    expect(stored).not.toContain('bank.example');
    expect(stored.endsWith('large from afar line 19999 ' + 'x'.repeat(50) + '\r\n')).toBe(true);
  });

  it('checks mail from a foreign domain: dkim, spf and dmarc pass, and a forged result for our host is gone', async () => {
    const forged = `Authentication-Results: ${MYHOST}; dkim=pass header.d=bank.example\r\n`;
    const signed = await dkimpy({ op: 'sign', selector: 'sel1', domain: 'sender.example', key: foreignPem, message: forged + message('bob@sender.example', ERIN, 'from afar') });
    const sent = await pythonSmtp({ port: p.ports.smtp, source: '127.0.40.1', from: 'bob@sender.example', to: [ERIN], body: signed });
    expect(sent.stdout).toMatch(/^DATA 250/m);
    const stored = await nextMessage(ERIN);
    const results = stored.match(/^Authentication-Results: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*/gm) ?? [];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatch(new RegExp(`^Authentication-Results: ${MYHOST.replace(/\./g, '\\.')};`));
    expect(results[0]).toMatch(/dkim=pass header\.i=@sender\.example header\.s=sel1 header\.a=rsa-sha256/);
    expect(results[0]).toMatch(/spf=pass[^;]*smtp\.mailfrom=bob@sender\.example/);
    expect(results[0]).toMatch(/dmarc=pass[^;]*header\.from=sender\.example/);
    expect(stored).not.toContain('bank.example');
  });

  it('refuses mail forged under p=reject with 550 5.7.1 at end of DATA, and logs why', async () => {
    const sent = await pythonSmtp({ port: p.ports.smtp, source: '127.0.40.9', from: 'bob@sender.example', to: [ERIN], body: message('bob@sender.example', ERIN, 'forged') });
    expect(sent.stdout).toMatch(/^DATA 550 b?'?5\.7\.1 Message rejected due to DMARC policy of sender\.example/m);
    expect(await until(async () => readFileSync(path.join(p.dataDir, 'log', 'mail.log'), 'utf8').includes('END-OF-MESSAGE'), 10_000)).toBe(true);
    const log = readFileSync(path.join(p.dataDir, 'log', 'mail.log'), 'utf8');
    expect(log).toMatch(/NOQUEUE: reject: END-OF-MESSAGE from unknown\[127\.0\.40\.9\]: 550 5\.7\.1 Message rejected due to DMARC policy of sender\.example/);
    // The policy tester says the same of the same message, with the trace (postern check --message).
    const file = path.join(p.dataDir, 'forged.eml');
    writeFileSync(file, message('bob@sender.example', ERIN, 'forged'));
    const check = await cli(['check', '--client', '127.0.40.9', '--helo', 'python.example', '--from', 'bob@sender.example', '--message', file]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^Authentication-Results: mx\.shop\.example;$/m);
    expect(check.stdout).toMatch(/^550 5\.7\.1 Message rejected due to DMARC policy of sender\.example$/m);
    expect(check.stdout).toMatch(/^ {2}smtpd_end_of_data_restrictions: reject_dmarc_policy → DMARC fail for sender\.example \(p=reject\): SPF fail for sender\.example, no DKIM signature$/m);
    // A sender whose domain has no DMARC record is delivered, annotated.
    const plain = await pythonSmtp({ port: p.ports.smtp, source: '127.0.40.9', from: 'x@nodmarc.example', to: [ERIN], body: message('x@nodmarc.example', ERIN, 'no dmarc') });
    expect(plain.stdout).toMatch(/^DATA 250/m);
    expect(await nextMessage(ERIN)).toMatch(/dmarc=none/);
  });

  it('rotates: the new key signs only once DNS serves it, the old one retires', async () => {
    const rotated = await cli(['dkim', 'rotate', 'shop.example']);
    expect(rotated.code).toBe(0);
    const selectors = [...rotated.stdout.matchAll(/^new key (\S+) \((rsa|ed25519), pending\)/gm)].map((m) => [m[1]!, m[2]!]);
    expect(selectors.map((s) => s[1]).sort()).toEqual(['ed25519', 'rsa']);
    const newRsa = selectors.find((s) => s[1] === 'rsa')![0]!;
    const refused = await cli(['dkim', 'activate', 'shop.example', newRsa]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/DNS does not serve this key/);
    // Published: the check passes and the key signs; r1 stays published, retiring.
    const record = parseRecordLines(rotated.stdout)[`${newRsa}._domainkey.shop.example`]!;
    dns.set(`${newRsa}._domainkey.shop.example`, { TXT: [record] });
    expect((await cli(['dkim', 'check', 'shop.example'])).stdout).toMatch(new RegExp(`^pass\\t${newRsa}\\._domainkey\\.shop\\.example\\tpending`, 'm'));
    const activated = await cli(['dkim', 'activate', 'shop.example', newRsa]);
    expect(activated.stdout).toMatch(new RegExp(`${newRsa} signs mail from shop\\.example now; r1 retiring`));
    expect((await cli(['dkim', 'list', 'shop.example'])).stdout).toMatch(/^shop\.example\tr1\trsa\tretiring\t.*keep in DNS until/m);
    await pythonSmtp({ port: p.ports.submission, starttls: true, login: [DANA.address, DANA.password], from: DANA.address, to: [ERIN], body: message(DANA.address, ERIN, 'after rotation') });
    const stored = await nextMessage(ERIN);
    // Which keys signed: [algorithm, selector] of each DKIM-Signature field.
    const signatures = [...stored.replace(/\r\n[ \t]+/g, ' ').matchAll(/^DKIM-Signature: (.*)$/gm)].map((m) => [/a=([^;]+)/.exec(m[1]!)?.[1], /s=([^;]+)/.exec(m[1]!)?.[1]]);
    // The Ed25519 key was not replaced yet: it still signs beside the new RSA one.
    expect(signatures.sort()).toEqual([['ed25519-sha256', 'e1'], ['rsa-sha256', newRsa]]);
  });

  it('seals with ARC what an alias forwards elsewhere, and dkimpy verifies the chain', async () => {
    const sink = await startSink();
    try {
      for (const args of [['set', `relayhost=[127.0.0.1]:${sink.port}`], ['alias', 'add', 'fwd@shop.example', 'someone@far.example']]) expect((await cli(args)).code).toBe(0);
      const signed = await dkimpy({ op: 'sign', selector: 'sel1', domain: 'sender.example', key: foreignPem, message: message('bob@sender.example', 'fwd@shop.example', 'forward me') });
      const sent = await pythonSmtp({ port: p.ports.smtp, source: '127.0.40.1', from: 'bob@sender.example', to: ['fwd@shop.example'], body: signed });
      expect(sent.stdout).toMatch(/^DATA 250/m);
      const got = await waitFor(() => sink.received.find((m) => m.to.includes('someone@far.example')), Boolean, 15_000);
      const forwarded = got!.data;
      expect(forwarded.replace(/\r?\n[ \t]+/g, ' ')).toMatch(/^ARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none; d=shop\.example; s=/m);
      expect(forwarded).toMatch(/^ARC-Authentication-Results: i=1; mx\.shop\.example;/m);
      const records = { ...parseRecordLines((await cli(['dkim', 'show', 'shop.example'])).stdout), 'sel1._domainkey.sender.example': `v=DKIM1; k=rsa; p=${foreignP}` };
      const arc = JSON.parse(await dkimpy({ op: 'arc', message: forwarded.replace(/\r?\n/g, '\r\n'), records })) as { cv: string; reason: string };
      expect(arc).toEqual({ cv: 'pass', reason: expect.any(String) });
    } finally {
      await cli(['set', 'relayhost=']);
      await sink.close();
    }
  });
});
