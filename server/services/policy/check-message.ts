// The policy tester's second half: a pasted message run through the checks on arrival (SPF,
// DKIM, DMARC, ARC) and smtpd_end_of_data_restrictions, as the engine would for a client
// that is neither authenticated nor trusted: the Authentication-Results it would add, and
// the decision with its trace. DNS goes to the engine's resolver (POSTERN_DNS_SERVER).
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { parseIp } from '../../../mail-engine/policy/match/ip';
import { checkOnArrival, summarize } from '../../../mail-engine/mail-auth/check-message';
import { consoleResolver } from '../dns/console-resolver';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';

// Below the 1 MB a Next.js server action takes, so the limit is ours and says so.
export const PASTED_MESSAGE_LIMIT = 500_000;

export const checkPastedMessage = async (db: Db, actor: Actor, input: { client: string; helo?: string; from: string; message: string }, dnsServer = process.env.POSTERN_DNS_SERVER) => {
  assertRole(actor, 'OPERATOR');
  const client = input.client.trim();
  if (!parseIp(client)) throw new AppError('INVALID_INPUT', `"${input.client}" is not an IP address`, { client: ['Enter an IPv4 or IPv6 address'] });
  if (!input.message.trim()) throw new AppError('INVALID_INPUT', 'Paste a message: its header fields, a blank line, and the body', { message: ['Paste a message'] });
  if (input.message.length > PASTED_MESSAGE_LIMIT) {
    throw new AppError('INVALID_INPUT', `The message is ${input.message.length.toLocaleString('en')} characters; the tester takes up to ${PASTED_MESSAGE_LIMIT.toLocaleString('en')}`, { message: ['Too long'] });
  }
  const rows = await loadPolicyRows(db);
  const compiled = compilePolicy(rows);
  if (!compiled.ok) throw new AppError('POLICY_INVALID', compiled.errors.map((e) => `${e.parameter}: ${e.message}`).join('\n'));
  const policy = compiled.policy;
  // A pasted message has whatever line ends the browser or the file gave it: SMTP's CRLF.
  const raw = Buffer.from(input.message.replace(/\r?\n/g, '\r\n'), 'utf8');
  const r = consoleResolver(dnsServer);
  // sample 0: a tester must say what p=reject does, not what one draw of pct= did.
  const { removed, facts, headers, decision } = await checkOnArrival(policy, raw, {
    sender: input.from.trim().replace(/^<(.*)>$/, '$1'),
    ip: client,
    clientName: 'unknown',
    helo: input.helo?.trim() ?? '', // mailauth takes the client address for SPF's HELO identity when there is none
    resolve: (name, rrtype) => r.resolve(name, rrtype) as Promise<string[][] | string[]>,
    sample: 0,
  });
  return { facts, summary: summarize(facts), headers, removedForged: removed, decision, revision: rows.revision };
};
