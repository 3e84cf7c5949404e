// permit_mynetworks: OK when the client address matches mynetworks (or what
// mynetworks_style implies when mynetworks is unset). Pure.
import type { TracedRestriction } from './context';
import { DUNNO } from './reply';

export const permitMynetworks: TracedRestriction = ({ policy, ctx }) => {
  const m = policy.mynetworks.match(ctx.clientAddress);
  if (m.matched) {
    const fact = `client ${ctx.clientAddress} is in ${policy.mynetworksSource} (${m.entry?.pattern})`;
    return { verdict: { kind: 'ok', by: 'permit_mynetworks', fact }, fact };
  }
  const why = m.entry ? `excluded by ${m.entry.pattern}` : `not in ${policy.mynetworksSource}`;
  return { verdict: DUNNO, fact: `client ${ctx.clientAddress} is ${why}` };
};
