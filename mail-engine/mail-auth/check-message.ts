// Checks on arrival, for mail from clients that are neither authenticated nor trusted: SPF
// (RFC 7208, MAIL FROM and HELO, with its DNS lookup limits), DKIM, DMARC (alignment, p=,
// sp=, pct=, the public-suffix list of mailauth's tldts) and ARC, all by mailauth through the
// engine's own resolver (POSTERN_DNS_SERVER; never the system's). The result is a set of facts
// for the end-of-data restrictions and the log, and the header fields to prepend.
import { authenticate } from 'mailauth';
import { checkEndOfData } from '../policy/check-stage';
import type { Policy } from '../policy/policy';
import type { AuthFacts } from '../policy/types';
import type { Readable } from 'node:stream';
import { stripForgedResults } from './forged-results';
import { bodyStream, type BodyFile } from '../store/message-body';

export type DnsResolve = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export type CheckInput = {
  sender: string;
  ip: string;
  /** The HELO name for SPF's HELO identity ('' when there was none). */
  helo: string;
  mta: string;
  resolve: DnsResolve;
  /** An ARC seal to add (RSA key of the forwarding domain), when the message is forwarded out. */
  seal?: { signingDomain: string; selector: string; privateKey: string };
};

const word = (r: string | undefined) => (r === 'temperr' ? 'temperror' : r ?? 'none');

/** The facts and the fields to prepend (Received-SPF, Authentication-Results, any ARC seal). */
export const checkMessage = async (message: Buffer | Readable, input: CheckInput): Promise<{ facts: AuthFacts; headers: string }> => {
  const r = await authenticate(message, {
    sender: input.sender,
    ip: input.ip,
    helo: input.helo,
    mta: input.mta,
    resolver: input.resolve,
    disableBimi: true, // BIMI fetches logos over HTTPS: not an MTA's business
    ...(input.seal ? { seal: input.seal } : {}),
  });
  const spf = r.spf ? { result: word(r.spf.status.result), domain: r.spf.domain ?? '', text: r.spf.status.comment ?? '' } : { result: 'none', domain: '', text: '' };
  // An unsigned message comes back as one "none" result without a domain: no signature.
  const dkim = (r.dkim?.results ?? []).filter((d) => d.signingDomain).map((d) => ({
    result: word(d.status.result),
    domain: d.signingDomain ?? '',
    selector: d.selector ?? '',
    aligned: !!d.status.aligned,
    text: d.status.comment ?? '',
  }));
  const dm = r.dmarc || null;
  const dmarc = dm
    ? { result: word(dm.status.result), domain: dm.domain ?? '', policy: dm.policy ?? 'none', pct: dm.pct ?? 100, text: dm.status.comment ?? '', record: dm.rr ?? '' }
    : null;
  const arc = r.arc ? { result: word(r.arc.status?.result) } : null;
  const fromDomain = (r.dkim?.headerFrom ?? [])[0]?.split('@').pop()?.toLowerCase() ?? '';
  return { facts: { spf, dkim, dmarc, arc, fromDomain, sample: Math.floor(Math.random() * 100) }, headers: r.headers };
};

/** One line for the log and the message story: "spf=pass (example.org) dkim=pass (example.org s=sel) dmarc=pass (p=reject)". */
export const summarize = (f: AuthFacts) =>
  [
    `spf=${f.spf.result}${f.spf.domain ? ` (${f.spf.domain})` : ''}`,
    f.dkim.length ? f.dkim.map((d) => `dkim=${d.result} (${d.domain} s=${d.selector})`).join(' ') : 'dkim=none',
    f.dmarc ? `dmarc=${f.dmarc.result} (${f.dmarc.domain} p=${f.dmarc.policy})` : 'dmarc=none',
    ...(f.arc && f.arc.result !== 'none' ? [`arc=${f.arc.result}`] : []),
  ].join(' ');

/**
 * What the engine does at end of DATA for an untrusted client, and the policy tester for a
 * pasted message: forged Authentication-Results naming $myhostname removed, the checks run,
 * and smtpd_end_of_data_restrictions decided on their facts.
 */
export const checkOnArrival = async (
  policy: Policy,
  raw: Buffer,
  input: Omit<CheckInput, 'mta'> & { clientName: string; lookupId?: string; sample?: number; tail?: BodyFile },
) => {
  // With a tail, raw is a large message's start; the rest is read from its spool file.
  const { message, removed } = stripForgedResults(raw, policy.myhostname, !!input.tail);
  const checked = await checkMessage(input.tail ? bodyStream([message, input.tail]) : message, { ...input, mta: policy.myhostname });
  const facts = input.sample === undefined ? checked.facts : { ...checked.facts, sample: input.sample };
  const decision = checkEndOfData(policy, {
    clientAddress: input.ip,
    clientName: input.clientName,
    helo: input.helo || undefined,
    sender: input.sender,
    lookupId: input.lookupId,
    auth: facts,
  });
  return { message, removed, facts, headers: checked.headers, decision };
};
