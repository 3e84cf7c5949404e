// Differential test: the same SMTP conversations, from the same loopback source addresses,
// against a private Postfix 3.7 and against Postern's engine configured from the same
// main.cf. Every reply code and enhanced status code must be identical: client (trusted
// 127.0.0.2, untrusted 127.0.1.9) × SASL (none, good, bad) × sender × recipient, the
// sender-routing tricks included (%-hack, bang paths, quoted "@", source routes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI } from '../helpers/env';
import { postfixAvailable, startReferencePostfix, type ReferencePostfix } from '../helpers/postfix-reference';
import { SmtpProbe, type Reply } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';

if (IN_CI && !postfixAvailable()) throw new Error('postfix and dovecot are required in CI');

const ALICE = { user: 'alice@test.net', password: 'alice-secret-12' };
const CLIENTS = ['127.0.0.2', '127.0.1.9'];
const SASL = ['none', 'good', 'bad'] as const;
const RECIPIENTS = [
  'alice@test.net',
  'ALICE@Test.Net',
  'bob@test.net',
  'x@example.org',
  'y@relay.example',
  'y@sub.relay.example',
  'x%example.org@test.net',
  'x%alice@test.net',
  '"x@example.org"@test.net',
  '@test.net:x@example.org',
  '@mx.test.example:alice@test.net',
  'example.org!x@test.net',
  'alice',
  'x@[127.0.0.1]',
  'x@example.org.',
];
const SENDERS = ['a@b.org', 'alice@test.net', '', 'nodomain'];

/** One conversation; returns "code enhanced" per step so a mismatch names the step. */
const converse = async (port: number, client: string, sasl: (typeof SASL)[number], sender: string, rcpt: string) => {
  const { probe, greeting } = await SmtpProbe.connect(port, { localAddress: client });
  const steps: string[] = [];
  const show = (name: string, r: Reply) => {
    const m = /^(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?/.exec(r.lines.at(-1) ?? '');
    steps.push(`${name}=${m?.[1] ?? r.code}${r.code >= 400 ? ` ${m?.[2] ?? ''}` : ''}`);
  };
  try {
    expect(greeting.code).toBe(220);
    await probe.cmd('EHLO client.example');
    if (sasl !== 'none') {
      const pw = sasl === 'good' ? ALICE.password : 'wrong-password';
      show('AUTH', await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${ALICE.user}\0${pw}`).toString('base64')}`));
    }
    show('MAIL', await probe.cmd(`MAIL FROM:<${sender}>`));
    show('RCPT', await probe.cmd(`RCPT TO:<${rcpt}>`));
    await probe.cmd('QUIT');
  } finally {
    probe.close();
  }
  return steps.join(' ');
};

const CONFIGS: { name: string; mainCf: string; senders?: string[] }[] = [
  {
    name: 'classic secure set-up (the seed config)',
    mainCf: `compatibility_level = 3.6
myhostname = mx.test.example
accept_domain = test.net
mydestination = $myhostname, localhost, $accept_domain
mynetworks = 127.0.0.0/24
relay_domains = relay.example
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options = noanonymous
broken_sasl_auth_clients = yes
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination`,
  },
  {
    name: 'explicit relay restrictions, empty relay_domains, no percent hack or bang paths',
    mainCf: `compatibility_level = 3.6
myhostname = mx.test.example
mydestination = $myhostname, localhost, test.net
mynetworks = 127.0.0.0/24, [::1]/128
relay_domains =
allow_percent_hack = no
swap_bangpath = no
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_non_fqdn_recipient, reject_unlisted_recipient, permit`,
  },
  {
    name: 'mynetworks_style = subnet with sender restrictions',
    mainCf: `compatibility_level = 3.6
myhostname = mx.test.example
mydestination = $myhostname, test.net
mynetworks_style = subnet
relay_domains = .relay.example
smtpd_sasl_auth_enable = yes
smtpd_sender_restrictions = reject_non_fqdn_sender
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination`,
  },
  {
    name: 'compatibility_level = 0 with untrusted routing allowed',
    mainCf: `compatibility_level = 0
myhostname = mx.test.example
mydomain = test.example
mydestination = $myhostname, test.net
mynetworks = 127.0.0.0/24, !127.0.0.3
relay_domains = relay.example
allow_untrusted_routing = yes
parent_domain_matches_subdomains = smtpd_access_maps
smtpd_sasl_auth_enable = yes
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination`,
  },
];

describe.skipIf(!postfixAvailable())('differential: Postern answers as Postfix 3.7 does', () => {
  for (const config of CONFIGS) {
    describe(config.name, () => {
      let ref: ReferencePostfix;
      let postern: TestEngine;
      beforeAll(async () => {
        ref = await startReferencePostfix({ mainCf: config.mainCf, localRecipients: [ALICE.user], saslUsers: [ALICE] });
        postern = await startTestEngine({
          // Postern-only: its login throttle (a deliberate difference) must not mask the comparison.
          mainCf: `${config.mainCf}\nsmtpd_error_sleep_time = 0\nsmtpd_soft_error_limit = 1000\nsmtpd_hard_error_limit = 1000\npostern_auth_failure_limit = 1000\n`,
          users: [{ address: ALICE.user, password: ALICE.password }],
        });
      });
      afterAll(async () => {
        await ref?.stop();
        await postern?.stop();
      });

      for (const client of [...CLIENTS, ...(config.mainCf.includes('!127.0.0.3') ? ['127.0.0.3'] : [])]) {
        for (const sasl of SASL) {
          it(`client ${client}, SASL ${sasl}: every recipient`, async () => {
            const mismatches: string[] = [];
            // A failed login costs seconds on both sides (Dovecot's auth_failure_delay, Postern's
            // throttle, which also refuses after postern_auth_failure_limit): three probes suffice.
            for (const rcpt of sasl === 'bad' ? RECIPIENTS.slice(0, 3) : RECIPIENTS) {
              const [p, q] = [await converse(ref.port, client, sasl, 'a@b.org', rcpt), await converse(postern.port(), client, sasl, 'a@b.org', rcpt)];
              if (p !== q) mismatches.push(`<${rcpt}>: postfix ${p} | postern ${q}`);
            }
            expect(mismatches).toEqual([]);
          });
        }
        it(`client ${client}: every sender`, async () => {
          const mismatches: string[] = [];
          for (const sender of SENDERS) {
            for (const rcpt of ['alice@test.net', 'x@example.org']) {
              const [p, q] = [await converse(ref.port, client, 'none', sender, rcpt), await converse(postern.port(), client, 'none', sender, rcpt)];
              if (p !== q) mismatches.push(`<${sender}> → <${rcpt}>: postfix ${p} | postern ${q}`);
            }
          }
          expect(mismatches).toEqual([]);
        });
      }
    });
  }
});
