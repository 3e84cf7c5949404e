// Per-session state, kept beside smtp-server's session object: the pinned policy snapshot
// (pinned at connect, re-pinned at each MAIL FROM so a reload never splits a transaction),
// the lookup id that reject replies carry, error and command counters, deadlines.
import type { Policy } from '../policy/policy';
import type { TraceStep } from '../policy/types';

export type Service = 'smtpd' | 'submission' | 'submissions';

export type SessionState = {
  service: Service;
  policy: Policy | undefined;
  lookupId: string;
  /** The client as policy sees it: the peer, or who XCLIENT/XFORWARD/PROXY said it is. */
  clientAddress: string;
  clientName: string;
  /** The address the TCP connection came from (per-client connection accounting). */
  connectedFrom: string;
  lastVerb?: string;
  /** RCPT commands accepted in this transaction (smtpd_recipient_limit counts repeats too). */
  rcptCount: number;
  /** RCPTs refused for smtpd_recipient_limit in this transaction (smtpd_recipient_overshoot_limit). */
  rcptOvershoot: number;
  /** The next 4xx/5xx reply is not an error (an overshoot within its limit, as in Postfix). */
  forgiveNextError?: boolean;
  /** reject_unauth_pipelining: the client sent input ahead of a reply it had to wait for. */
  pipelinedEarly?: boolean;
  errors: number;
  /** NOOP, RSET, VRFY and ETRN since the last message (smtpd_junk_command_limit). */
  junk?: number;
  counts: Record<string, [ok: number, total: number]>;
  commands: number;
  saslMethod?: string;
  lastTrace?: TraceStep[];
  deadline?: NodeJS.Timeout;
  sessionDeadline?: NodeJS.Timeout;
  closedForErrors?: boolean;
};

const STATE = Symbol.for('postern.session-state');

export const getState = (session: object): SessionState => {
  const s = (session as Record<symbol, SessionState | undefined>)[STATE];
  if (!s) throw new Error('session state missing');
  return s;
};

export const initState = (session: object, state: SessionState) => {
  Object.defineProperty(session, STATE, { value: state, enumerable: false, configurable: true });
  return state;
};

export const hasState = (session: object) => STATE in session;

/** After XCLIENT or XFORWARD, smtp-server's session names another client: follow it. */
export const syncClient = (state: SessionState, session: { remoteAddress?: string; clientHostname?: string }) => {
  const address = (session.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (address && address !== state.clientAddress) {
    state.clientAddress = address;
    const name = session.clientHostname ?? '';
    state.clientName = name && !name.startsWith('[') ? name : 'unknown';
  }
};

/**
 * What the restriction lists know about a command: the client (after XCLIENT/XFORWARD),
 * HELO, login, sender and the session's lookup id. `sender` defaults to the envelope's.
 */
export const sessionFacts = (
  state: SessionState,
  session: { remoteAddress?: string; clientHostname?: string; hostNameAppearsAs?: string; user?: unknown; envelope?: { mailFrom?: false | { address: string } } },
  sender = session.envelope?.mailFrom ? session.envelope.mailFrom.address : '',
) => {
  syncClient(state, session);
  return {
    clientAddress: state.clientAddress,
    clientName: state.clientName,
    helo: session.hostNameAppearsAs || undefined,
    saslUser: typeof session.user === 'string' ? session.user : undefined,
    sender,
    pipelinedEarly: state.pipelinedEarly,
    lookupId: state.lookupId,
  };
};

export const count = (state: SessionState, verb: string, ok: boolean) => {
  const c = (state.counts[verb] ??= [0, 0]);
  if (ok) c[0]++;
  c[1]++;
};

/** Postfix's disconnect summary: "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4". */
export const formatCounts = (state: SessionState) => {
  let ok = 0;
  let total = 0;
  const parts = Object.entries(state.counts).map(([verb, [o, t]]) => {
    ok += o;
    total += t;
    return o === t ? `${verb}=${o}` : `${verb}=${o}/${t}`;
  });
  parts.push(ok === total ? `commands=${ok}` : `commands=${ok}/${total}`);
  return parts.join(' ');
};
