// DKIM signing (mailauth): relaxed/relaxed, every active key of the From domain (RSA and
// Ed25519 both when both are active), over the header fields a receiver shows or threads
// by. mailauth signs the fields present and cannot over-sign From; instead a message with
// more than one From field (the trick over-signing defends against) is not signed at all.
// Cost (npm run bench): mailauth parses the PEM key for every message, and OpenSSL 3 takes
// ~0.4 ms to parse a key, more than an Ed25519 signature (~0.04 ms) or even an RSA 2048 one
// (~0.3 ms); its API takes no parsed KeyObject. The README gives the measured figures.
import type { Readable } from 'node:stream';
import { dkimSign } from 'mailauth/lib/dkim/sign';

export type SigningKey = { domain: string; selector: string; algorithm: 'rsa-sha256' | 'ed25519-sha256'; privateKey: string };

export const SIGNED_FIELDS = [
  'From', 'Sender', 'Reply-To', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References',
  'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding', 'Content-ID', 'Content-Description',
  'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
].join(':');

/** The From fields' domains (lower case), from the header section. */
export const fromDomains = (headers: string) => {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  return [...unfolded.matchAll(/^from:(.*)$/gim)].map((m) => {
    const addr = /<([^>]*)>/.exec(m[1]!)?.[1] ?? m[1]!.replace(/\(.*?\)/g, '').trim();
    return addr.slice(addr.lastIndexOf('@') + 1).trim().toLowerCase().replace(/\.$/, '');
  });
};

export type SignResult = { headers: string; domain: string; selectors: string[] } | { headers: ''; reason: string };

/** DKIM-Signature fields to prepend (CRLF-terminated), or why none. */
export const signMessage = async (message: Buffer | Readable, headerSection: string, keysFor: (domain: string) => SigningKey[] | undefined): Promise<SignResult> => {
  const domains = fromDomains(headerSection);
  if (domains.length !== 1) return { headers: '', reason: domains.length ? 'more than one From field' : 'no From field' };
  const keys = keysFor(domains[0]!);
  if (!keys?.length) return { headers: '', reason: `no active DKIM key for ${domains[0]}` };
  const r = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    // mailauth takes the list as one colon-separated string.
    headerList: SIGNED_FIELDS as unknown as string[],
    // mailauth signs with signatureData only; the top-level key fields are required by its
    // types and not used.
    signingDomain: keys[0]!.domain,
    selector: keys[0]!.selector,
    privateKey: keys[0]!.privateKey,
    signatureData: keys.map((k) => ({ signingDomain: k.domain, selector: k.selector, privateKey: k.privateKey, algorithm: k.algorithm })),
  });
  if (r.errors?.length) return { headers: '', reason: `signing failed: ${r.errors.map((e: Error) => e.message).join('; ')}` };
  return { headers: r.signatures, domain: domains[0]!, selectors: keys.map((k) => k.selector) };
};
