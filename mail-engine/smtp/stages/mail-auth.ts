// Mail authentication at end of DATA. From an authenticated or trusted client (mynetworks),
// the message is DKIM-signed with the From domain's active keys. From anyone else, SPF,
// DKIM, DMARC and ARC are checked (postern_inbound_auth_checks), forged
// Authentication-Results claiming $myhostname are removed, ours is added, and
// smtpd_end_of_data_restrictions decide on the results (reject_dmarc_policy by default). A
// fault in the checks is logged and the message goes on unannotated: never a reject for it.
import type { SMTPServerSession } from 'smtp-server';
import { checkEndOfData } from '../../policy/check-stage';
import type { Policy } from '../../policy/policy';
import type { AuthFacts, Decision } from '../../policy/types';
import { checkMessage, summarize } from '../../mail-auth/check-message';
import { stripForgedResults } from '../../mail-auth/forged-results';
import { fromDomains, signMessage } from '../../mail-auth/sign-message';
import type { EngineContext } from '../engine-context';
import type { SessionState } from '../session-state';
import { expandRecipients } from '../../queue/enqueue-message';

export type MailAuthOutcome = {
  /** Header fields to put above the message (after our Received:). */
  prepend: string;
  body: Buffer[];
  decision?: Decision;
  facts?: AuthFacts;
  /** For the log: what was signed or checked. */
  note?: string;
};

const headerSection = (chunks: Buffer[]) => {
  const first = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks.slice(0, 8));
  const end = first.indexOf('\r\n\r\n');
  return first.subarray(0, end < 0 ? Math.min(first.length, 65_536) : end + 2).toString('utf8');
};

/**
 * The ARC seal key for a message that an alias forwards to an address elsewhere: an active
 * RSA key (mailauth seals with RSA only) of the domain whose alias forwards, so the receiver
 * can trust our Authentication-Results and DMARC survives the forward.
 */
const sealFor = (ctx: EngineContext, policy: Policy, recipients: string[]) => {
  for (const original of recipients) {
    const forwards = expandRecipients(policy, [original]).some((r) => r.address !== policy.resolve(original).address && policy.resolve(r.address).addressClass !== 'local' && !policy.isLocalRecipient(r.address));
    if (!forwards) continue;
    const domain = original.slice(original.lastIndexOf('@') + 1).toLowerCase();
    const key = ctx.signingKeys().get(domain)?.find((k) => k.algorithm === 'rsa-sha256');
    if (key) return { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey };
  }
  return undefined;
};

export const trustedClient = (policy: Policy, state: SessionState, session: SMTPServerSession) => !!session.user || policy.mynetworks.match(state.clientAddress).matched;

export const authenticateMessage = async (ctx: EngineContext, policy: Policy, state: SessionState, session: SMTPServerSession, sender: string, chunks: Buffer[], recipients: string[] = []): Promise<MailAuthOutcome> => {
  if (trustedClient(policy, state, session)) {
    const keys = ctx.signingKeys();
    if (!keys.size) return { prepend: '', body: chunks };
    const head = headerSection(chunks);
    const domains = fromDomains(head);
    if (domains.length !== 1 || !keys.has(domains[0]!)) return { prepend: '', body: chunks };
    const r = await signMessage(Buffer.concat(chunks), head, (d) => keys.get(d));
    return { prepend: r.headers, body: chunks, note: 'reason' in r ? `not signed: ${r.reason}` : `dkim signed d=${r.domain} s=${r.selectors.join(',')}` };
  }
  if (policy.params.postern_inbound_auth_checks === 'no') return { prepend: '', body: chunks };
  const { message } = stripForgedResults(Buffer.concat(chunks), policy.myhostname);
  try {
    const { facts, headers } = await checkMessage(message, {
      sender,
      ip: state.clientAddress,
      helo: session.hostNameAppearsAs || '',
      mta: policy.myhostname,
      resolve: (name, rrtype) => ctx.resolver.resolve(name, rrtype) as Promise<string[][] | string[]>,
      seal: sealFor(ctx, policy, recipients),
    });
    const decision = checkEndOfData(policy, {
      clientAddress: state.clientAddress,
      clientName: state.clientName,
      helo: session.hostNameAppearsAs,
      sender,
      lookupId: state.lookupId,
      auth: facts,
    });
    const d = facts.dmarc;
    const quarantine = d?.result === 'fail' && (d.policy === 'quarantine' || (d.policy === 'reject' && facts.sample >= d.pct)) ? `X-Postern-Quarantine: DMARC policy of ${d.domain} is ${d.policy}\r\n` : '';
    return { prepend: headers + quarantine, body: [message], decision, facts, note: summarize(facts) };
  } catch (e) {
    return { prepend: '', body: [message], note: `checks on arrival failed: ${(e as Error).message}` };
  }
};
