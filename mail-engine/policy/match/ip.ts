// IP address parsing to bytes. Pure. IPv4-mapped IPv6 (::ffff:a.b.c.d) is folded to IPv4
// because Postfix's smtpd reports such clients by their IPv4 address.

export type ParsedIp = { family: 4 | 6; bytes: Uint8Array };

// A dotted quad, scanned once (this runs for every restriction that looks at the client):
// four decimal parts of 1-3 digits, each at most 255, without leading zeros ("01").
const parseV4 = (s: string): Uint8Array | undefined => {
  const out = new Uint8Array(4);
  let part = 0;
  let val = 0;
  let digits = 0;
  // A virtual dot after the last character ends the last part.
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = val;
      val = 0;
      digits = 0;
    } else {
      if (c < 0x30 || c > 0x39 || (digits === 1 && val === 0)) return undefined;
      val = val * 10 + (c - 0x30);
      if (++digits > 3 || val > 255) return undefined;
    }
  }
  return part === 4 ? out : undefined;
};

const parseV6 = (s: string): Uint8Array | undefined => {
  let str = s;
  const zone = str.indexOf('%');
  if (zone >= 0) str = str.slice(0, zone);
  let tail: number[] = [];
  const lastColon = str.lastIndexOf(':');
  if (str.includes('.') && lastColon >= 0) {
    const v4 = parseV4(str.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    str = `${str.slice(0, lastColon + 1)}x`;
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (h: string) => (h === '' ? [] : h.split(':'));
  const parseGroups = (gs: string[]): number[] | undefined => {
    const out: number[] = [];
    for (const g of gs) {
      if (g === 'x') {
        out.push(...tail);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(toGroups(halves[0]!));
  const rest = halves.length === 2 ? parseGroups(toGroups(halves[1]!)) : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < (halves.length === 2 ? 1 : 0)) return undefined;
  const groups = [...head, ...new Array<number>(Math.max(0, missing)).fill(0), ...rest];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
};

export const parseIp = (input: string): ParsedIp | undefined => {
  // Most addresses are bare dotted quads, which the general path below would leave as they are.
  const first = input.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    const b = parseV4(input);
    if (b) return { family: 4, bytes: b };
  }
  const s = input.trim().replace(/^\[|\]$/g, '').replace(/^ipv6:/i, '');
  if (!s.includes(':')) {
    const b = parseV4(s);
    return b && { family: 4, bytes: b };
  }
  const b = parseV6(s);
  if (!b) return undefined;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? { family: 4, bytes: b.slice(12) } : { family: 6, bytes: b };
};

export const formatIp = ({ family, bytes }: ParsedIp): string => {
  if (family === 4) return [...bytes].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
};

export const bitAt = (bytes: Uint8Array, i: number) => (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
