// reject_unknown_sender_domain: the sender's domain must have an A, AAAA or MX record.
// The DNS answer is fetched by the caller (DnsFacts) so this stays pure; a missing answer
// or a temporary failure defers (450 4.1.8), never rejects. Local domains always pass.
import { splitAddress, stripSourceRoute } from '../address';
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const rejectUnknownSenderDomain: TracedRestriction = ({ policy, ctx }) => {
  const s = ctx.sender;
  if (!s) return { verdict: DUNNO, fact: 'null sender' };
  const { domain } = splitAddress(stripSourceRoute(s));
  if (!domain) return { verdict: DUNNO, fact: `sender <${s}> has no domain` };
  if (policy.localDomains.match(domain).matched) return { verdict: DUNNO, fact: `${domain} is a local domain` };
  const answer = ctx.dns?.senderDomain;
  if (answer === 'ok') return { verdict: DUNNO, fact: `${domain} has DNS records` };
  const text = `<${s}>: Sender address rejected: Domain not found`;
  if (answer === 'not-found') {
    const fact = `${domain} has no A, AAAA or MX record`;
    return { verdict: refuse('reject_unknown_sender_domain', fact, policy.codes.unknownAddress, '4.1.8', text), fact };
  }
  const fact = `DNS lookup of ${domain} failed temporarily`;
  return { verdict: refuse('reject_unknown_sender_domain', fact, 450, '4.1.8', text), fact };
};
