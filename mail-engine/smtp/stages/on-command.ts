// Every command, before smtp-server runs it (PosternConnection._onCommand): counters and the
// command deadline, reject_unauth_pipelining's evidence, VRFY when disabled, XCLIENT/XFORWARD
// from unauthorized peers, and smtpd_data_restrictions at DATA (before the 354: smtp-server
// has no hook there). Also the replies' side: each 4xx/5xx counts toward
// smtpd_hard_error_limit, and a command line ended by a bare <LF> under
// smtpd_forbid_bare_newline = reject.
import type { SMTPServerSession } from 'smtp-server';
import { checkData, checkVrfy } from '../../policy/check-stage';
import type { Policy } from '../../policy/policy';
import { armCommandDeadline, closeWith } from '../deadlines';
import type { EngineContext } from '../engine-context';
import type { PosternConnection } from '../postern-smtp-server';
import { count, getState, hasState, sessionFacts } from '../session-state';
import { SmtpError } from '../smtp-error';

/**
 * Commands a client may not pipeline past: it must wait for their reply (RFC 2920). QUIT,
 * the last command, is one too, but nothing sent after it counts against the client.
 */
const SYNC_POINTS = new Set(['HELO', 'EHLO', 'DATA', 'STARTTLS', 'AUTH']);
const COUNTED = new Set(['HELO', 'EHLO', 'QUIT', 'RSET', 'NOOP', 'STARTTLS']);

/** The policy a connection's session pinned, or the current one before it pinned any. */
export const policyOf = (ctx: EngineContext, conn: PosternConnection): Policy | undefined =>
  (hasState(conn.session) ? getState(conn.session).policy : undefined) ?? ctx.cache.policy;

/** smtpd_authorized_xclient_hosts / smtpd_authorized_xforward_hosts, for the real peer. */
export const peerAllowed = (ctx: EngineContext, conn: PosternConnection, which: 'xclient' | 'xforward') =>
  policyOf(ctx, conn)?.proxies[which].match(conn.originalPeer).matched ?? false;

/** Commands that do no work (smtpd_junk_command_limit counts them, as Postfix's SMTPD_CMD_FLAG_LIMIT). */
const JUNK = new Set(['NOOP', 'RSET', 'VRFY', 'ETRN']);

export const onCommand = (ctx: EngineContext, conn: PosternConnection, verb: string, ahead: boolean, line = ''): SmtpError | undefined => {
  if (!hasState(conn.session)) return undefined;
  const state = getState(conn.session);
  state.commands++;
  state.lastVerb = verb;
  armCommandDeadline(ctx, conn);
  // reject_unauth_pipelining: input that arrived before a reply the client had to wait for.
  if (ahead && SYNC_POINTS.has(verb)) state.pipelinedEarly = true;
  if (COUNTED.has(verb)) count(state, verb.toLowerCase(), true);
  // Past smtpd_junk_command_limit each junk command is an error (its reply stays 2xx: the
  // limit+1st is the first, as the reference Postfix 3.7 counts in test/golden); at
  // smtpd_hard_error_limit the session ends after that reply, as in Postfix's smtpd loop.
  if (JUNK.has(verb) && (state.junk = (state.junk ?? 0) + 1) > (state.policy?.limits.junkCommandLimit ?? 100)) countError(ctx, conn);
  const policy = policyOf(ctx, conn);
  if (verb === 'VRFY' && policy) {
    if (policy.disableVrfy) return new SmtpError(502, '5.5.1', 'VRFY command is disabled');
    const session = conn.session as SMTPServerSession;
    const r = checkVrfy(policy, sessionFacts(state, session), line.slice(4));
    return new SmtpError(r.code, r.enhanced, r.text);
  }
  // AUTH while it is off for this session (SASL disabled, or smtpd_tls_auth_only before
  // STARTTLS): Postfix's words, not smtp-server's "command not recognized".
  if (verb === 'AUTH' && (conn.session as SMTPServerSession).disabledCommands?.includes('AUTH')) {
    return new SmtpError(503, '5.5.1', 'Error: authentication not enabled');
  }
  if ((verb === 'XCLIENT' || verb === 'XFORWARD') && !peerAllowed(ctx, conn, verb === 'XCLIENT' ? 'xclient' : 'xforward')) {
    return new SmtpError(550, '5.7.0', 'Error: insufficient authorization');
  }
  if (verb === 'DATA') return dataRestrictions(ctx, conn);
  return undefined;
};

/** smtpd_data_restrictions: a refusal answers DATA instead of letting the client send. */
const dataRestrictions = (ctx: EngineContext, conn: PosternConnection): SmtpError | undefined => {
  const session = conn.session as SMTPServerSession;
  const state = getState(session);
  const policy = state.policy;
  // Without a recipient smtp-server answers "503 need RCPT command" itself.
  if (!policy || !session.envelope?.rcptTo?.length) return undefined;
  const facts = sessionFacts(state, session);
  const d = checkData(policy, facts);
  if (d.action === 'accept') return undefined;
  count(state, 'data', false);
  ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'DATA', clientAddress: state.clientAddress, clientName: state.clientName, helo: session.hostNameAppearsAs, sender: facts.sender, code: d.reply.code, enhanced: d.reply.enhanced, text: d.reply.text, trace: d.trace, lookupId: state.lookupId });
  return SmtpError.from(d.reply);
};

/** Every 4xx/5xx (but 421) is an error; at smtpd_hard_error_limit the session ends. */
export const onReply = (ctx: EngineContext, conn: PosternConnection, code: number) => {
  if (!hasState(conn.session) || code < 400 || code === 421) return;
  const state = getState(conn.session);
  if (state.forgiveNextError) {
    state.forgiveNextError = false;
    return;
  }
  countError(ctx, conn);
};

const countError = (ctx: EngineContext, conn: PosternConnection) => {
  const state = getState(conn.session);
  state.errors++;
  const hard = state.policy?.limits.hardErrorLimit ?? 20;
  if (state.errors >= hard && !state.closedForErrors) {
    state.closedForErrors = true;
    ctx.logger.emit({ event: 'smtp.too_many_errors', status: 'rejected', clientAddress: state.clientAddress, clientName: state.clientName, lookupId: state.lookupId, detail: { after: state.lastVerb ?? 'CONNECT' } });
    setImmediate(() => closeWith(conn, 421, '4.7.0', `${state.policy?.myhostname ?? 'localhost'} Error: too many errors`));
  }
};

/** smtpd_forbid_bare_newline = reject: a command line ended by a bare <LF> ends the session. */
export const onBareNewline = (ctx: EngineContext, conn: PosternConnection): SmtpError | undefined => {
  const policy = policyOf(ctx, conn);
  if (!policy?.rejectBareNewline) return undefined;
  if (hasState(conn.session)) {
    const state = getState(conn.session);
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'CONNECT', clientAddress: state.clientAddress, clientName: state.clientName, code: 521, enhanced: '5.5.2', text: 'Error: bare <LF> received', lookupId: state.lookupId });
  }
  return new SmtpError(521, '5.5.2', `${policy.myhostname} Error: bare <LF> received`);
};
