// Ordered CIDR match lists (mynetworks, check_client_access networks) as binary prefix
// trees, one per address family. Pure. Lookup walks at most 32/128 bits whatever the list
// size. Postfix match lists are first-match-wins and "!pattern" stops with "no match", so
// each node keeps the position of the earliest entry ending there and the lowest position
// among matching prefixes decides.
import { bitAt, formatIp, parseIp, type ParsedIp } from './ip';

type Node = { zero?: Node; one?: Node; at?: number };
export type CidrEntry = { pattern: string; family: 4 | 6; bytes: Uint8Array; prefix: number; negate: boolean };

export class CidrPatternError extends Error {}

/** Parses "1.2.3.0/24", "1.2.3.4", "[::1]/128", "[2001:db8::]/32", "::1/128", "!…". */
export const parseCidr = (raw: string): CidrEntry => {
  let s = raw.trim();
  const negate = s.startsWith('!');
  if (negate) s = s.slice(1).trim();
  const m = /^\[?([0-9A-Fa-f:.]+)\]?(?:\/(\d{1,3}))?$/.exec(s);
  const ip = m ? parseIp(m[1]!) : undefined;
  if (!m || !ip) throw new CidrPatternError(`"${raw}" is not an IP address or network (expected e.g. 192.0.2.0/24 or [2001:db8::]/32)`);
  // An IPv4-mapped IPv6 network is matched as IPv4: shift its prefix accordingly.
  const mappedV6 = ip.family === 4 && m[1]!.includes(':');
  const width = ip.family === 4 ? 32 : 128;
  let prefix = m[2] === undefined ? width : Number(m[2]);
  if (mappedV6) prefix = m[2] === undefined ? 32 : Number(m[2]) - 96;
  if (prefix < 0 || prefix > width) throw new CidrPatternError(`"${raw}": prefix length must be 0-${width}`);
  for (let i = prefix; i < width; i++) {
    if (bitAt(ip.bytes, i)) {
      const net = maskTo(ip, prefix);
      throw new CidrPatternError(`"${raw}" has host bits set beyond /${prefix}; perhaps you meant ${formatCidr({ ...net, prefix, negate: false })}`);
    }
  }
  return { pattern: raw.trim(), family: ip.family, bytes: ip.bytes, prefix, negate };
};

const maskTo = (ip: ParsedIp, prefix: number): ParsedIp => {
  const bytes = ip.bytes.slice();
  for (let i = prefix; i < bytes.length * 8; i++) bytes[i >> 3]! &= ~(1 << (7 - (i & 7)));
  return { family: ip.family, bytes };
};

/** Canonical Postfix spelling: IPv6 in brackets, host routes without /32 or /128. */
export const formatCidr = (e: Pick<CidrEntry, 'family' | 'bytes' | 'prefix' | 'negate'>): string => {
  const addr = formatIp({ family: e.family, bytes: e.bytes });
  const full = e.family === 4 ? 32 : 128;
  const body = e.family === 6 ? `[${addr}]/${e.prefix}` : e.prefix === full ? addr : `${addr}/${e.prefix}`;
  return (e.negate ? '!' : '') + body;
};

export type CidrMatch = { matched: boolean; entry?: CidrEntry };

export class CidrMatcher {
  private readonly roots: Record<4 | 6, Node> = { 4: {}, 6: {} };
  readonly entries: readonly CidrEntry[];

  constructor(entries: readonly CidrEntry[]) {
    this.entries = entries;
    entries.forEach((e, at) => {
      let node = this.roots[e.family];
      for (let i = 0; i < e.prefix; i++) {
        node = bitAt(e.bytes, i) ? (node.one ??= {}) : (node.zero ??= {});
      }
      if (node.at === undefined) node.at = at;
    });
  }

  match(address: string | ParsedIp | undefined): CidrMatch {
    const ip = typeof address === 'string' ? parseIp(address) : address;
    if (!ip) return { matched: false };
    let node: Node | undefined = this.roots[ip.family];
    let best: number | undefined;
    const width = ip.family === 4 ? 32 : 128;
    for (let i = 0; node; i++) {
      if (node.at !== undefined && (best === undefined || node.at < best)) best = node.at;
      if (i === width) break;
      node = bitAt(ip.bytes, i) ? node.one : node.zero;
    }
    if (best === undefined) return { matched: false };
    const entry = this.entries[best]!;
    return { matched: !entry.negate, entry };
  }
}
