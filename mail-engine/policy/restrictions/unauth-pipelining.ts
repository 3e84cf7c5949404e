// reject_unauth_pipelining: refuses a client that sent commands ahead of replies it had
// to wait for (before the greeting, or before the reply to a command that does not
// allow pipelining). The SMTP layer observes that and records it in the context. Pure.
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const rejectUnauthPipelining: TracedRestriction = ({ ctx, replyName, replyClass }) => {
  if (!ctx.pipelinedEarly) return { verdict: DUNNO, fact: 'client waited for each reply' };
  const fact = 'client sent commands before the server replied (improper pipelining)';
  return {
    verdict: refuse('reject_unauth_pipelining', fact, 503, '5.5.0', `<${replyName}>: ${replyClass} rejected: Improper use of SMTP command pipelining`),
    fact,
  };
};
