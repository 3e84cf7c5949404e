// Envelope address handling as Postfix's smtpd + trivial-rewrite(8) resolve it. Pure.
// RFC 5321 §4.1.2: a leading source route (@a,@b:user@c) is ignored. Then, while the domain
// is local (mydestination or one of our [address] literals) it is stripped, and routing
// operators left in the local part — "@" from a quoted local part, "!" (swap_bangpath) and
// "%" (allow_percent_hack) — are turned into a new domain and resolution repeats. Any such
// rewrite marks the address as sender-routed (RESOLVE_FLAG_ROUTED), which is what
// reject_unauth_destination refuses from untrusted clients unless allow_untrusted_routing.
import { normalizeDomain } from './match/domain';

export type AddressClass = 'local' | 'relay' | 'default';

/** Read-only: the compiled policy hands the same result to every restriction of a decision. */
export type ResolvedAddress = {
  /** user@domain after resolution, domain lower-cased */
  readonly address: string;
  readonly localPart: string;
  readonly domain: string;
  readonly routed: boolean;
  readonly addressClass: AddressClass;
};

export type ResolveOptions = {
  isLocalDomain(domain: string): boolean;
  isRelayDomain(domain: string): boolean;
  myorigin: string;
  mydomain: string;
  percentHack: boolean;
  swapBangpath: boolean;
  appendDotMydomain: boolean;
};

/** Removes an RFC 5321 source route: "@a,@b:user@c" → "user@c". */
export const stripSourceRoute = (addr: string) => {
  if (!addr.startsWith('@')) return addr;
  const colon = addr.indexOf(':');
  return colon < 0 ? addr : addr.slice(colon + 1);
};

/** Splits at the last "@" outside quotes; the local part comes back unquoted (internal form). */
export const splitAddress = (addr: string): { localPart: string; domain?: string } => {
  // Without quotes or escapes (nearly every address) the last "@" splits it.
  if (addr.indexOf('"') < 0 && addr.indexOf('\\') < 0) {
    const at = addr.lastIndexOf('@');
    return at < 0 ? { localPart: addr, domain: undefined } : { localPart: addr.slice(0, at), domain: addr.slice(at + 1) };
  }
  let inQuote = false;
  let at = -1;
  for (let i = 0; i < addr.length; i++) {
    const c = addr[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    else if (c === '@' && !inQuote) at = i;
  }
  const rawLocal = at < 0 ? addr : addr.slice(0, at);
  const domain = at < 0 ? undefined : addr.slice(at + 1);
  return { localPart: unquote(rawLocal), domain };
};

const unquote = (s: string) => {
  if (!s.includes('"') && !s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) out += s[++i];
    else if (c !== '"') out += c;
  }
  return out;
};

/** Quotes a local part for display when it holds characters RFC 5321 only allows quoted. */
export const quoteLocalPart = (local: string) =>
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]*$/.test(local) && !/^\.|\.\.|\.$/.test(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;

export const resolveAddress = (input: string, o: ResolveOptions): ResolvedAddress => {
  let { localPart, domain } = splitAddress(stripSourceRoute(input.trim()));
  let routed = false;
  let savedDomain: string | undefined;
  for (let guard = 0; guard < 20; guard++) {
    if (domain !== undefined) {
      domain = normalizeDomain(domain);
      if (domain === '' || o.isLocalDomain(domain)) {
        savedDomain ??= domain || undefined;
        domain = undefined;
      } else {
        break;
      }
    }
    // The domain is gone (local or absent): look for routing operators in what is left.
    const at = localPart.lastIndexOf('@');
    if (at >= 0) {
      domain = localPart.slice(at + 1);
      localPart = localPart.slice(0, at);
      routed = true;
      continue;
    }
    const bang = o.swapBangpath ? localPart.indexOf('!') : -1;
    if (bang >= 0) {
      domain = localPart.slice(0, bang);
      localPart = localPart.slice(bang + 1);
      routed = true;
      continue;
    }
    const pct = o.percentHack ? localPart.lastIndexOf('%') : -1;
    if (pct >= 0) {
      domain = localPart.slice(pct + 1);
      localPart = localPart.slice(0, pct);
      routed = true;
      continue;
    }
    break;
  }
  let finalDomain = domain ?? savedDomain ?? normalizeDomain(o.myorigin);
  if (o.appendDotMydomain && !finalDomain.includes('.') && !finalDomain.startsWith('[') && o.mydomain && domain !== undefined) {
    finalDomain = `${finalDomain}.${normalizeDomain(o.mydomain)}`;
  }
  // trivial-rewrite also flags a local part that still holds a routing operator (say "!"
  // with swap_bangpath = no): its final destination is uncertain.
  if (/[@!%]/.test(localPart)) routed = true;
  // savedDomain was found local above: no need to look it up again.
  const addressClass: AddressClass = finalDomain === savedDomain || o.isLocalDomain(finalDomain) ? 'local' : o.isRelayDomain(finalDomain) ? 'relay' : 'default';
  return { address: `${localPart}@${finalDomain}`, localPart, domain: finalDomain, routed, addressClass };
};
