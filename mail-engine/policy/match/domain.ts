// Ordered domain match lists (mydestination, relay_domains) with O(labels) lookups. Pure.
// "example.com" matches itself and, when the feature is listed in
// parent_domain_matches_subdomains, its subdomains; ".example.com" matches subdomains only;
// "!pattern" stops with "no match". The earliest matching pattern decides, as in Postfix.

type Slot = { at: number; negate: boolean; pattern: string };
export type DomainMatch = { matched: boolean; pattern?: string };

// Printable ASCII without upper case letters, not ending in a dot: already normal.
const NORMAL_DOMAIN = /^[\x21-\x40\x5b-\x7e]*[\x21-\x2d\x2f-\x40\x5b-\x7e]$/;

export const normalizeDomain = (d: string) => (NORMAL_DOMAIN.test(d) ? d : d.trim().toLowerCase().replace(/\.+$/, ''));

export class DomainMatcher {
  private readonly exact = new Map<string, Slot>();
  private readonly parent = new Map<string, Slot>();
  readonly patterns: readonly string[];
  readonly size: number;

  constructor(patterns: readonly string[], parentMatchesSubdomains: boolean) {
    this.patterns = patterns;
    patterns.forEach((raw, at) => {
      let p = raw.trim().toLowerCase();
      const negate = p.startsWith('!');
      if (negate) p = p.slice(1);
      const slot = { at, negate, pattern: raw.trim() };
      const keep = (m: Map<string, Slot>, k: string) => {
        if (!m.has(k)) m.set(k, slot);
      };
      if (p.startsWith('.')) keep(this.parent, normalizeDomain(p.slice(1)));
      else {
        keep(this.exact, normalizeDomain(p));
        if (parentMatchesSubdomains) keep(this.parent, normalizeDomain(p));
      }
    });
    this.size = patterns.length;
  }

  match(domain: string): DomainMatch {
    const d = normalizeDomain(domain);
    let best = this.exact.get(d);
    for (let dot = d.indexOf('.'); dot >= 0; dot = d.indexOf('.', dot + 1)) {
      const s = this.parent.get(d.slice(dot + 1));
      if (s && (!best || s.at < best.at)) best = s;
    }
    if (!best) return { matched: false };
    return { matched: !best.negate, pattern: best.pattern };
  }
}

/** A hostname Postfix would call fully qualified (has a dot; or a domain literal). */
export const isFqdn = (domain: string) => /^\[.*\]$/.test(domain) || /\.[^.]/.test(domain.replace(/\.+$/, ''));

export const isValidHostname = (name: string) =>
  name.length <= 253 && /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/.test(name);
