// reject_non_fqdn_sender / reject_non_fqdn_recipient / reject_non_fqdn_helo_hostname and
// reject_invalid_helo_hostname. Pure. The null sender is never rejected here.
import { splitAddress, stripSourceRoute } from '../address';
import { isFqdn, isValidHostname } from '../match/domain';
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

const addressIsFqdn = (addr: string) => {
  const { domain } = splitAddress(stripSourceRoute(addr));
  return domain !== undefined && isFqdn(domain);
};

export const rejectNonFqdnSender: TracedRestriction = ({ policy, ctx }) => {
  const s = ctx.sender;
  if (s === undefined || s === '') return { verdict: DUNNO, fact: 'null sender' };
  if (addressIsFqdn(s)) return { verdict: DUNNO, fact: `sender <${s}> is fully qualified` };
  const fact = `sender <${s}> is not fully qualified`;
  return { verdict: refuse('reject_non_fqdn_sender', fact, policy.codes.nonFqdn, '5.5.2', `<${s}>: Sender address rejected: need fully-qualified address`), fact };
};

export const rejectNonFqdnRecipient: TracedRestriction = ({ policy, ctx }) => {
  const r = ctx.recipient ?? '';
  if (addressIsFqdn(r)) return { verdict: DUNNO, fact: `recipient <${r}> is fully qualified` };
  const fact = `recipient <${r}> is not fully qualified`;
  return { verdict: refuse('reject_non_fqdn_recipient', fact, policy.codes.nonFqdn, '5.5.2', `<${r}>: Recipient address rejected: need fully-qualified address`), fact };
};

export const rejectNonFqdnHeloHostname: TracedRestriction = ({ policy, ctx }) => {
  const h = ctx.helo;
  if (!h) return { verdict: DUNNO, fact: 'no HELO name' };
  if (isFqdn(h)) return { verdict: DUNNO, fact: `HELO ${h} is fully qualified` };
  const fact = `HELO ${h} is not fully qualified`;
  return { verdict: refuse('reject_non_fqdn_helo_hostname', fact, policy.codes.nonFqdn, '5.5.2', `<${h}>: Helo command rejected: need fully-qualified hostname`), fact };
};

export const rejectInvalidHeloHostname: TracedRestriction = ({ ctx }) => {
  const h = ctx.helo;
  if (!h) return { verdict: DUNNO, fact: 'no HELO name' };
  if (/^\[[0-9A-Fa-f:.]+\]$/.test(h) || isValidHostname(h)) return { verdict: DUNNO, fact: `HELO ${h} is syntactically valid` };
  const fact = `HELO ${h} is not a valid hostname`;
  return { verdict: refuse('reject_invalid_helo_hostname', fact, 501, '5.5.2', `<${h}>: Helo command rejected: Invalid name`), fact };
};
