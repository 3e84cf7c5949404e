// reject_unauth_destination / defer_unauth_destination, built from one predicate as
// Postfix's permit_auth_destination() is: the recipient is "authorized" when it resolves
// to a local or relay domain and carries no sender-specified routing (unless
// allow_untrusted_routing). Pure.
import type { RestrictionContext, TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const authDestination = ({ policy, ctx }: RestrictionContext): { ok: boolean; fact: string } => {
  const rcpt = ctx.recipient ?? '';
  const r = policy.resolve(rcpt);
  if (r.routed && !policy.allowUntrustedRouting) {
    return { ok: false, fact: `<${rcpt}> uses sender-specified routing (resolves to ${r.address}) and allow_untrusted_routing = no` };
  }
  if (r.addressClass === 'local') return { ok: true, fact: `${r.domain} is a local domain (mydestination)` };
  if (r.addressClass === 'relay') return { ok: true, fact: `${r.domain} is a relay domain (relay_domains)` };
  return { ok: false, fact: `${r.domain} is not a local or relay domain` };
};

const unauthDestination =
  (name: string, code: (r: RestrictionContext) => number): TracedRestriction =>
  (r) => {
    const { ok, fact } = authDestination(r);
    if (ok) return { verdict: DUNNO, fact };
    return { verdict: refuse(name, fact, code(r), '5.7.1', `<${r.ctx.recipient ?? ''}>: Relay access denied`), fact };
  };

export const rejectUnauthDestination = unauthDestination('reject_unauth_destination', (r) => r.policy.codes.relay);
// Postfix turns the relay reply into a temporary one of the same kind: 554 → 454 4.7.1.
export const deferUnauthDestination = unauthDestination('defer_unauth_destination', (r) => 400 + (r.policy.codes.relay % 100));
