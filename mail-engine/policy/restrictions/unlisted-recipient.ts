// reject_unlisted_recipient (also applied implicitly when smtpd_reject_unlisted_recipient
// = yes): a recipient in a local domain must be a user with a mailbox or an alias. Relay
// domains have no relay_recipient_maps in Postern, so any recipient there is accepted, as
// Postfix does when that map is unset. Pure.
import type { RestrictionContext, TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const checkRecipientListed = (r: RestrictionContext, name: string) => {
  const rcpt = r.ctx.recipient ?? '';
  const resolved = r.policy.resolve(rcpt);
  if (resolved.addressClass !== 'local') {
    return { verdict: DUNNO, fact: `${resolved.domain} is not local: no local recipient table applies` };
  }
  if (r.policy.isLocalRecipient(resolved.address)) {
    return { verdict: DUNNO, fact: `${resolved.address} is in the local recipient table` };
  }
  const fact = `${resolved.address} is not a user or alias`;
  return {
    verdict: refuse(name, fact, r.policy.codes.unknownLocalRecipient, '5.1.1', `<${rcpt}>: Recipient address rejected: User unknown in local recipient table`),
    fact,
  };
};

export const rejectUnlistedRecipient: TracedRestriction = (r) => checkRecipientListed(r, 'reject_unlisted_recipient');
