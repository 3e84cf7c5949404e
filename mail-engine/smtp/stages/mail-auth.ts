// Mail authentication at end of DATA. From an authenticated or trusted client (mynetworks),
// the message is DKIM-signed with the From domain's active keys. From anyone else, SPF,
// DKIM, DMARC and ARC are checked (postern_inbound_auth_checks), forged
// Authentication-Results claiming $myhostname are removed, ours is added, and
// smtpd_end_of_data_restrictions decide on the results (reject_dmarc_policy by default). A
// fault in the checks is logged and the message goes on unannotated: never a reject for it.
import type { SMTPServerSession } from 'smtp-server';
import type { Policy } from '../../policy/policy';
import type { AuthFacts, Decision } from '../../policy/types';
import { checkOnArrival, summarize } from '../../mail-auth/check-message';
import { stripForgedResults } from '../../mail-auth/forged-results';
import { fromDomains, signMessage } from '../../mail-auth/sign-message';
import type { EngineContext } from '../engine-context';
import type { SessionState } from '../session-state';
import { expandRecipients } from '../../queue/enqueue-message';
import { bodyStream, fileOf, inMemory, memoryPart, type MessageBody } from '../../store/message-body';

export type MailAuthOutcome = {
  /** Header fields to put above the message (after our Received:). */
  prepend: string;
  body: MessageBody;
  decision?: Decision;
  facts?: AuthFacts;
  /** For the log: what was signed or checked. */
  note?: string;
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

/** The message as it arrived: envelope, chunks (a large one partly in its spool file), and its header section (read once, in on-data). */
export type ArrivedMessage = { sender: string; recipients: string[]; chunks: MessageBody; headers: string };

/** The whole message for mailauth: one buffer, or a stream that reads the spool file. */
const wholeOf = (chunks: MessageBody) => {
  const buffers = inMemory(chunks);
  return buffers ? Buffer.concat(buffers) : bodyStream(chunks);
};

export const authenticateMessage = async (ctx: EngineContext, policy: Policy, state: SessionState, session: SMTPServerSession, m: ArrivedMessage): Promise<MailAuthOutcome> => {
  const { sender, recipients, chunks, headers } = m;
  if (trustedClient(policy, state, session)) {
    const keys = ctx.signingKeys();
    if (!keys.size) return { prepend: '', body: chunks };
    const domains = fromDomains(headers);
    if (domains.length !== 1 || !keys.has(domains[0]!)) return { prepend: '', body: chunks };
    const r = await signMessage(wholeOf(chunks), headers, (d) => keys.get(d));
    return { prepend: r.headers, body: chunks, note: 'reason' in r ? `not signed: ${r.reason}` : `dkim signed d=${r.domain} s=${r.selectors.join(',')}` };
  }
  if (policy.params.postern_inbound_auth_checks === 'no') return { prepend: '', body: chunks };
  // A large message: the checks read the spool file; its start (the header section) is in memory.
  const tail = fileOf(chunks);
  const raw = tail ? memoryPart(chunks) : Buffer.concat(inMemory(chunks)!);
  const withTail = (b: Buffer): MessageBody => (tail ? [b, tail] : [b]);
  try {
    const { message, facts, headers: added, decision } = await checkOnArrival(policy, raw, {
      sender,
      ip: state.clientAddress,
      clientName: state.clientName,
      helo: session.hostNameAppearsAs || '',
      lookupId: state.lookupId,
      resolve: (name, rrtype) => ctx.resolver.resolve(name, rrtype) as Promise<string[][] | string[]>,
      seal: sealFor(ctx, policy, recipients),
      tail,
    });
    const d = facts.dmarc;
    const quarantine = d?.result === 'fail' && (d.policy === 'quarantine' || (d.policy === 'reject' && facts.sample >= d.pct)) ? `X-Postern-Quarantine: DMARC policy of ${d.domain} is ${d.policy}\r\n` : '';
    return { prepend: added + quarantine, body: withTail(message), decision, facts, note: summarize(facts) };
  } catch (e) {
    // Forged results go even when the checks failed (the rare path pays for stripping twice).
    return { prepend: '', body: withTail(stripForgedResults(raw, policy.myhostname, !!tail).message), note: `checks on arrival failed: ${(e as Error).message}` };
  }
};
