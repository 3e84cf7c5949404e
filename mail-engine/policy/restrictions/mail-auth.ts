// Restrictions on the checks on arrival (SPF, DKIM, DMARC), for smtpd_end_of_data_restrictions.
// Postfix delegates these to milters and policy services (OpenDMARC, policyd-spf); their
// replies are used here. A DNS timeout never rejects: at most defer_spf_temperror defers.
// The facts are ctx.auth, present only for untrusted, unauthenticated clients. Pure.
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

const NOT_CHECKED = { verdict: DUNNO, fact: 'no checks on arrival for this client (authenticated or in mynetworks)' };

/** Honours the From domain's DMARC policy: p=reject is refused 550 5.7.1 (pct= applies). */
export const rejectDmarcPolicy: TracedRestriction = ({ ctx }) => {
  const a = ctx.auth;
  if (!a) return NOT_CHECKED;
  const d = a.dmarc;
  if (!d || d.result === 'none') return { verdict: DUNNO, fact: `no DMARC record for ${a.fromDomain || 'the From domain'}` };
  if (d.result === 'pass') return { verdict: DUNNO, fact: `DMARC pass for ${d.domain}` };
  if (d.result === 'temperror') return { verdict: DUNNO, fact: `DMARC of ${d.domain} could not be evaluated (DNS temporary error): not enforced` };
  if (d.result !== 'fail') return { verdict: DUNNO, fact: `DMARC ${d.result} for ${d.domain}: not enforced` };
  const why = `DMARC fail for ${d.domain} (p=${d.policy}${d.pct < 100 ? ` pct=${d.pct}` : ''}): SPF ${a.spf.result}${a.spf.domain ? ` for ${a.spf.domain}` : ''}, ${a.dkim.length ? a.dkim.map((k) => `DKIM ${k.result} for ${k.domain}${k.aligned ? '' : ' (not aligned)'}`).join(', ') : 'no DKIM signature'}`;
  if (d.policy !== 'reject') return { verdict: DUNNO, fact: `${why}: ${d.policy === 'quarantine' ? 'delivered marked for quarantine' : 'policy none, delivered'}` };
  if (a.sample >= d.pct) return { verdict: DUNNO, fact: `${why}: outside the pct=${d.pct} sample, delivered marked for quarantine` };
  return { verdict: refuse('reject_dmarc_policy', why, 550, '5.7.1', `Message rejected due to DMARC policy of ${d.domain}`), fact: why };
};

/** Refuses mail whose SPF result is fail (the domain's "-all" excludes the client). */
export const rejectSpfFail: TracedRestriction = ({ ctx }) => {
  const a = ctx.auth;
  if (!a) return NOT_CHECKED;
  const fact = `SPF ${a.spf.result} for ${a.spf.domain || 'the sender'} from ${ctx.clientAddress}`;
  if (a.spf.result !== 'fail') return { verdict: DUNNO, fact };
  return { verdict: refuse('reject_spf_fail', fact, 550, '5.7.23', `SPF: ${ctx.clientAddress} is not allowed to send mail from ${a.spf.domain}`), fact };
};

/** Defers mail whose SPF could not be evaluated for a temporary DNS error (451 4.4.3). */
export const deferSpfTemperror: TracedRestriction = ({ ctx }) => {
  const a = ctx.auth;
  if (!a) return NOT_CHECKED;
  const fact = `SPF ${a.spf.result} for ${a.spf.domain || 'the sender'}`;
  if (a.spf.result !== 'temperror') return { verdict: DUNNO, fact };
  return { verdict: refuse('defer_spf_temperror', fact, 451, '4.4.3', `SPF: temporary DNS error for ${a.spf.domain}; try again later`), fact };
};
