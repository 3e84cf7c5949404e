// reject_sender_login_mismatch against the implicit smtpd_sender_login_maps built from the
// users and aliases tables: an authenticated client may only use sender addresses it owns;
// an unauthenticated client may not use an address that has an owner. Pure.
import { splitAddress, stripSourceRoute } from '../address';
import { normalizeDomain } from '../match/domain';
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const rejectSenderLoginMismatch: TracedRestriction = ({ policy, ctx }) => {
  const s = ctx.sender;
  if (!s) return { verdict: DUNNO, fact: 'null sender' };
  const { localPart, domain } = splitAddress(stripSourceRoute(s));
  const key = `${localPart.toLowerCase()}@${normalizeDomain(domain ?? policy.myorigin)}`;
  const owners = policy.senderOwners.get(key);
  const user = ctx.saslUser?.toLowerCase();
  if (user) {
    if (owners?.has(user)) return { verdict: DUNNO, fact: `${user} owns sender ${key}` };
    const fact = `sender ${key} is not owned by the login ${user}`;
    return { verdict: refuse('reject_sender_login_mismatch', fact, 553, '5.7.1', `<${s}>: Sender address rejected: not owned by user ${ctx.saslUser}`), fact };
  }
  if (!owners) return { verdict: DUNNO, fact: `sender ${key} has no owner and the client did not log in` };
  const fact = `sender ${key} belongs to a user, but the client did not log in`;
  return { verdict: refuse('reject_sender_login_mismatch', fact, 553, '5.7.1', `<${s}>: Sender address rejected: not logged in`), fact };
};
