// permit_sasl_authenticated: OK when the session completed SMTP AUTH. Reads the
// authenticated principal the SMTP layer recorded, never the raw AUTH input. Pure.
import type { TracedRestriction } from './context';
import { DUNNO } from './reply';

export const permitSaslAuthenticated: TracedRestriction = ({ ctx }) => {
  if (ctx.saslUser) {
    const fact = `client authenticated as ${ctx.saslUser}`;
    return { verdict: { kind: 'ok', by: 'permit_sasl_authenticated', fact }, fact };
  }
  return { verdict: DUNNO, fact: 'no SASL login' };
};
