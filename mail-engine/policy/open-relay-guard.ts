// The open-relay guard, run on every policy the compiler accepts: Postfix refuses to start
// without a default-deny restriction for relaying; Postern also probes the draft as an
// untrusted, unauthenticated client relaying outward, and refuses it if that is accepted.
import { checkRecipient } from './check-stage';
import type { Policy } from './policy';
import type { PolicyError } from './types';

/** Probe addresses outside any sane mynetworks (RFC 5737 / RFC 3849 documentation ranges). */
const PROBE_CLIENTS = ['192.0.2.1', '198.51.100.7', '203.0.113.9', '2001:db8::25'];

/**
 * Open-relay self-test: an unauthenticated client outside mynetworks asks to relay to a
 * domain that is neither local nor relay. Any accept means the draft is an open relay; the
 * returned error names the restriction that let it through.
 */
export const findOpenRelay = (policy: Policy): PolicyError | undefined => {
  const untrusted = PROBE_CLIENTS.filter((c) => !policy.mynetworks.match(c).matched);
  if (!untrusted.length) {
    return { parameter: 'mynetworks', message: 'every probe address (192.0.2.1, 198.51.100.7, 203.0.113.9, 2001:db8::25) is in mynetworks: it trusts the Internet (open relay)' };
  }
  for (const client of untrusted) {
    for (const rcpt of ['relay-test@open-relay-probe.invalid', 'relay-test%open-relay-probe.invalid@' + (policy.localDomains.patterns.find((p) => !p.includes('$') && !p.startsWith('!')) ?? 'localhost')]) {
      const d = checkRecipient(policy, { clientAddress: client, clientName: 'unknown', helo: 'probe.invalid', sender: 'probe@example.com', recipient: rcpt });
      if (d.action === 'accept' && !policy.isLocalRecipient(policy.resolve(rcpt).address)) {
        const decisive = d.trace.filter((t) => t.restriction && t.list).at(-1);
        const culprit = d.by ? `${d.by} in ${decisive?.list ?? 'the restriction lists'}` : 'no restriction refused it';
        return { parameter: decisive?.list ?? 'smtpd_recipient_restrictions', message: `open relay: an unauthenticated client ${client} could relay to <${rcpt}> (${culprit})` };
      }
    }
  }
  return undefined;
};
