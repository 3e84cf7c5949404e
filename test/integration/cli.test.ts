// `postern …` as an admin scripts it: a whole set-up from the command line, import of a
// Postfix main.cf (dry run first, with the report), an export that Postfix's own postconf
// reads without a warning and that round-trips, `check` with its trace and exit status,
// and clear errors for bad input.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/clients';
import { requireCommand } from '../helpers/env';
import { posternEnvArgs } from '../helpers/start-postern';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'postern-cli-'));
const postern = (args: string[], input?: string) => run('env', posternEnvArgs(dataDir, args, { POSTERN_ADMIN_PASSWORD: 'cli-admin-password-1' }), input);

const SEED = `# the classic secure set-up
compatibility_level = 3.6
myhostname = mx.test.net
accept_domain = test.net
mydestination = $myhostname, localhost, $accept_domain
relay_domains = relay.example
mynetworks = 127.0.0.0/8, 192.0.2.0/24
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options = noanonymous
broken_sasl_auth_clients = yes
smtpd_recipient_restrictions =
    permit_mynetworks,
    permit_sasl_authenticated,
    reject_unauth_destination
alias_maps = hash:/etc/aliases
smtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache
frobnicate_level = 11
`;

describe('the postern command', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads without creating or migrating a database, and refuses unknown options', async () => {
    // Before anything was written, a read-only command says what to do and changes nothing.
    const list = await postern(['user', 'list']);
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/no Postern database at .* yet: run `postern db migrate` or start Postern once/);
    expect(existsSync(path.join(dataDir, 'postern.db'))).toBe(false);
    const bogus = await postern(['domain', 'list', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/domain list: Unknown option '--bogus'/);
    const extra = await postern(['user', 'remove', 'a@b.example', 'c@d.example']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/usage: postern user remove ADDR/);
  });

  it('scripts a set-up: domains, networks, users, aliases, with list and remove twins', async () => {
    expect((await postern(['domain', 'add', 'shop.example', '--local'])).stdout).toContain('added local domain shop.example');
    expect((await postern(['domain', 'add', 'partner.example', '--relay'])).stdout).toContain('added relay domain partner.example');
    expect((await postern(['network', 'add', '198.51.100.0/24', '--note', 'office'])).stdout).toContain('trusted 198.51.100.0/24');
    expect((await postern(['user', 'add', 'amy@shop.example', '--role', 'user', '--password-stdin'], 'amy-password-123\n')).stdout).toContain('added amy@shop.example (user, mailbox)');
    expect((await postern(['alias', 'add', 'sales@shop.example', 'amy@shop.example', 'boss@partner.example'])).code).toBe(0);
    const domains = (await postern(['domain', 'list'])).stdout;
    expect(domains).toMatch(/shop\.example\tlocal\tactive/);
    expect(domains).toMatch(/partner\.example\trelay\tactive/);
    expect((await postern(['network', 'list'])).stdout).toMatch(/198\.51\.100\.0\/24\toffice/);
    expect((await postern(['user', 'list', 'amy'])).stdout).toMatch(/amy@shop\.example\tuser\tmailbox\tactive/);
    expect((await postern(['alias', 'list'])).stdout).toMatch(/sales@shop\.example\tboss@partner\.example/);
    expect((await postern(['network', 'remove', '198.51.100.0/24'])).stdout).toContain('removed 198.51.100.0/24');
    expect((await postern(['network', 'list'])).stdout).not.toContain('198.51.100.0/24');
  });

  it('refuses bad input with a clear message and a non-zero status', async () => {
    const wide = await postern(['network', 'add', '0.0.0.0/0']);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/open relay/);
    const badDomain = await postern(['domain', 'add', 'not a domain', '--local']);
    expect(badDomain.code).toBe(1);
    expect(badDomain.stderr).toMatch(/Not a valid domain name/);
    const weak = await postern(['user', 'add', 'bob@shop.example', '--password-stdin'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 10 characters/);
    // A delivery parameter the engine could not use is refused when saved, with its reason.
    const hop = await postern(['set', 'relayhost=mail.example.com:abc']);
    expect(hop.code).toBe(1);
    expect(hop.stderr).toMatch(/relayhost: "mail\.example\.com:abc": "abc" is not a port number/);
    const port = await postern(['set', 'smtp_tcp_port=smpt']);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/smtp_tcp_port: "smpt" is not a port number/);
    expect((await postern(['export-postfix'])).stdout).not.toMatch(/relayhost|smtp_tcp_port/);
    const usage = await postern(['domain', 'add', 'x.example']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/domain add NAME --local\|--relay/);
  });

  it('imports a Postfix main.cf: a dry run reports and changes nothing, then the import applies', async () => {
    const file = path.join(dataDir, 'seed-main.cf');
    writeFileSync(file, SEED);
    const dry = await postern(['import-postfix', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would import \(dry run\): \d+ parameters, 1 domains, 2 networks/);
    expect(dry.stdout).toMatch(/line 15: ignored alias_maps: alias_maps is a Postfix setting Postern does not use/);
    expect(dry.stdout).toMatch(/line 17: ignored frobnicate_level: frobnicate_level is not a parameter Postern supports/);
    expect(dry.stdout).toMatch(/Changes to the live main\.cf:\n(?:.*\n)*  \+ myhostname = mx\.test\.net\n/);
    expect((await postern(['export-postfix'])).stdout).not.toContain('accept_domain');
    // The preview is what the import would store: a network listed twice once, Postern's own lines too.
    const twice = path.join(dataDir, 'twice-main.cf');
    writeFileSync(twice, `${SEED}mynetworks = 127.0.0.0/8, 192.0.2.0/24, 192.0.2.0/24\n#postern: postern_greet_pause = 2s\n`);
    const preview = await postern(['import-postfix', twice, '--dry-run']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^  \+ mynetworks = 127\.0\.0\.0\/8, 192\.0\.2\.0\/24$/m);
    expect(preview.stdout).toMatch(/^  \+ #postern: postern_greet_pause = 2s$/m);
    const real = await postern(['import-postfix', file]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/policy revision \d+ is live/);
    const out = (await postern(['export-postfix'])).stdout;
    expect(out).toContain('mydestination = $myhostname, localhost, $accept_domain');
    expect(out).toContain('accept_domain = test.net');
    expect(out).toContain('smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination');
  });

  it.skipIf(!requireCommand('postconf'))("exports a main.cf Postfix's postconf reads without a warning, and that round-trips", async () => {
    expect((await postern(['set', 'postern_greet_pause=1s', 'smtpd_reject_footer=\\c (lookup id $lookup_id)'])).code).toBe(0);
    const first = (await postern(['export-postfix'])).stdout;
    expect(first).toContain('#postern: postern_greet_pause = 1s');
    const dir = path.join(dataDir, 'postfix-check');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.cf'), first);
    writeFileSync(path.join(dir, 'master.cf'), '');
    const pc = await run('postconf', ['-c', dir, '-n']);
    expect(pc.code).toBe(0);
    expect(pc.stderr).toBe('');
    expect(pc.stdout).toContain('relay_domains = relay.example');
    expect(pc.stdout).toContain('mynetworks = 127.0.0.0/8, 192.0.2.0/24');
    // export → import → export: identical but for the header comment.
    const file = path.join(dataDir, 'exported-main.cf');
    writeFileSync(file, first);
    expect((await postern(['import-postfix', file])).code).toBe(0);
    const second = (await postern(['export-postfix'])).stdout;
    const body = (s: string) => s.split('\n').filter((l) => !l.startsWith('# ')).join('\n');
    expect(body(second)).toBe(body(first));
  });

  it('check prints the decision and the facts behind it, and exits non-zero on a refusal', async () => {
    const refused = await postern(['check', '--client', '203.0.113.9', '--from', 'a@example.org', '--rcpt', 'x@example.net']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^454 4\.7\.1 <x@example\.net>: Relay access denied/);
    expect(refused.stdout).toContain('smtpd_relay_restrictions: permit_mynetworks → client 203.0.113.9 is not in mynetworks');
    expect(refused.stdout).toContain('example.net is not a local or relay domain');
    const ok = await postern(['check', '--client', '192.0.2.10', '--from', 'a@example.org', '--rcpt', 'x@example.net']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^250 2\.1\.5 Ok/);
    const sasl = await postern(['check', '--client', '203.0.113.9', '--sasl-user', 'amy@shop.example', '--from', 'amy@shop.example', '--rcpt', 'x@example.net']);
    expect(sasl.code).toBe(0);
    expect(sasl.stdout).toContain('decision: accept by permit_sasl_authenticated');
    const bad = await postern(['check', '--client', 'not-an-ip', '--from', 'a@b', '--rcpt', 'c@d']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not an IP address/);
  });
});
