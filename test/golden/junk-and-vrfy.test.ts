// Differential, against the private Postfix 3.7 on the same main.cf: VRFY (a local user, an
// unknown local user, a remote address, no address, and disabled) and junk commands past
// smtpd_junk_command_limit, which count as errors until smtpd_hard_error_limit ends the
// session. Every reply of each conversation, code and enhanced code, must be the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI } from '../helpers/env';
import { postfixAvailable, startReferencePostfix, type ReferencePostfix } from '../helpers/postfix-reference';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';

if (IN_CI && !postfixAvailable()) throw new Error('postfix and dovecot are required in CI');

const ALICE = { user: 'alice@test.net', password: 'alice-secret-12' };
const MAIN_CF = `compatibility_level = 3.6
myhostname = mx.test.example
mydestination = $myhostname, localhost, test.net
mynetworks = 127.0.0.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_junk_command_limit = 3`;
const LIMITS = `smtpd_hard_error_limit = 4
smtpd_soft_error_limit = 100
smtpd_error_sleep_time = 0`;

/** The replies of one conversation: "code enhanced" per command, and how it ended. */
const converse = async (port: number, commands: string[]) => {
  const { probe } = await SmtpProbe.connect(port, { localAddress: '127.0.1.9' });
  const out: string[] = [];
  try {
    for (const c of commands) {
      const r = await probe.cmd(c).catch(() => null);
      if (!r) {
        out.push(`${c.split(' ')[0]}: closed`);
        break;
      }
      const last = r.lines.at(-1) ?? '';
      out.push(`${c.split(' ')[0]}: ${/^\d{3}[ -](\d\.\d\.\d+)?/.exec(last)?.[0].replace('-', ' ').trim()}${r.code === 252 || r.code >= 500 ? ` ${last.replace(/^\d{3}[ -]\d\.\d\.\d+ /, '')}` : ''}`);
      if (r.code === 421) break;
    }
  } finally {
    probe.close();
  }
  return out;
};

describe.skipIf(!postfixAvailable())('differential: VRFY and junk commands as Postfix 3.7', () => {
  for (const disabled of ['no', 'yes']) {
    describe(`disable_vrfy_command = ${disabled}`, () => {
      let ref: ReferencePostfix;
      let postern: TestEngine;
      const mainCf = `${MAIN_CF}\ndisable_vrfy_command = ${disabled}`;
      beforeAll(async () => {
        ref = await startReferencePostfix({ mainCf, localRecipients: [ALICE.user], saslUsers: [ALICE], tailCf: LIMITS });
        postern = await startTestEngine({ mainCf: `${mainCf}\n${LIMITS}`, users: [{ address: ALICE.user, password: ALICE.password }] });
      });
      afterAll(async () => {
        await ref?.stop();
        await postern?.stop();
      });
      const both = async (commands: string[]) => {
        const [a, b] = await Promise.all([converse(ref.port, commands), converse(postern.port(), commands)]);
        expect(b).toEqual(a);
        return a;
      };

      it('VRFY: a local user, an unknown local user, a remote address, none', async () => {
        const r = await both(['EHLO client.example', 'VRFY alice@test.net', 'VRFY <bob@test.net>', 'VRFY x@example.org', 'VRFY', 'QUIT']);
        expect(r.length).toBeGreaterThan(3);
      });

      it('junk commands past the limit count as errors until the hard limit ends the session', async () => {
        const r = await both(['EHLO client.example', ...Array.from({ length: 12 }, (_, i) => (i % 2 ? 'RSET' : 'NOOP')), 'QUIT']);
        expect(r.some((l) => l.includes('421') || l.includes('closed'))).toBe(true);
      });
    });
  }
});
