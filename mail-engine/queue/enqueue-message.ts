// Recipient expansion at acceptance: each envelope recipient is resolved as
// trivial-rewrite does (percent hack, bang paths, $myorigin) and expanded through the
// aliases (virtual_alias_maps semantics: up to 10 levels, loops cut at the repeated
// address). The original address is kept for DSNs and orig_to= in the log. Pure.
import type { Policy } from '../policy/policy';

export const expandAliases = (policy: Policy, address: string): string[] => {
  const out = new Set<string>();
  const walk = (addr: string, depth: number, seen: Set<string>) => {
    const targets = policy.aliasTargets(addr);
    if (!targets || depth >= 10) {
      out.add(addr);
      return;
    }
    for (const t of targets) {
      if (seen.has(t)) {
        out.add(t);
        continue;
      }
      walk(t, depth + 1, new Set([...seen, t]));
    }
  };
  walk(address.toLowerCase(), 0, new Set([address.toLowerCase()]));
  return [...out];
};

/** Envelope recipients → the deliverable addresses, each with the address the client gave. */
export const expandRecipients = (policy: Policy, recipients: string[]): { address: string; original: string }[] => {
  const seen = new Set<string>();
  const out: { address: string; original: string }[] = [];
  for (const original of recipients) {
    for (const address of expandAliases(policy, policy.resolve(original).address)) {
      // One copy per final address, as Postfix's qmgr de-duplicates recipients.
      if (seen.has(address)) continue;
      seen.add(address);
      out.push({ address, original });
    }
  }
  return out;
};
