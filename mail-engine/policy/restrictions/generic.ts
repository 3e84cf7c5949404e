// permit, reject, defer, dunno: unconditional restrictions (postconf(5) "Generic
// restrictions"). Pure. Their replies name whatever the enclosing list checks.
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

export const permit: TracedRestriction = () => ({ verdict: { kind: 'ok', by: 'permit', fact: 'permit' }, fact: 'unconditional permit' });

export const reject: TracedRestriction = ({ policy, replyName, replyClass }) => ({
  verdict: refuse('reject', 'unconditional reject', policy.codes.reject, '5.7.1', `<${replyName}>: ${replyClass} rejected: Access denied`),
  fact: 'unconditional reject',
});

export const defer: TracedRestriction = ({ policy, replyName, replyClass }) => ({
  verdict: refuse('defer', 'unconditional defer', policy.codes.defer, '4.7.1', `<${replyName}>: ${replyClass} rejected: Try again later`),
  fact: 'unconditional defer',
});

export const dunno: TracedRestriction = () => ({ verdict: DUNNO, fact: 'dunno: no decision' });
