// Session timers: the per-command deadline (smtpd_timeout: a client dripping a command line
// a byte at a time cannot keep a session alive, as smtp-server's idle timer would let it;
// in DATA it applies per read, as in Postfix) and the cap on the whole session
// (postern_session_deadline, for slow-drip senders). Both close with 421 and are cleared at close.
import type { EngineContext } from './engine-context';
import type { PosternConnection } from './postern-smtp-server';
import { getState, hasState, type SessionState } from './session-state';
import { SmtpError } from './smtp-error';

/** Answers and closes, unless the connection is closing already. */
export const closeWith = (conn: PosternConnection, code: number, enhanced: string, text: string) => {
  if (conn._closing || conn._closed) return;
  conn.reply(new SmtpError(code, enhanced, text).reply);
  conn.close();
};

/** (Re)starts the deadline for the next command. */
export const armCommandDeadline = (ctx: EngineContext, conn: PosternConnection) => {
  if (!hasState(conn.session)) return;
  const state = getState(conn.session);
  if (state.deadline) clearTimeout(state.deadline);
  const ms = state.policy?.limits.commandTimeoutMs ?? 300_000;
  state.deadline = setTimeout(() => {
    ctx.logger.emit({ event: 'smtp.lost_connection', clientAddress: state.clientAddress, clientName: state.clientName, detail: { after: 'timeout' } });
    closeWith(conn, 421, '4.4.2', `${state.policy?.myhostname ?? 'localhost'} Error: timeout exceeded`);
  }, ms);
  state.deadline.unref();
};

/**
 * In DATA, smtpd_timeout applies to each read, as in Postfix: an honest sender on a slow
 * link keeps its session while bytes arrive. (Between commands it bounds the whole command
 * line instead; postern_session_deadline caps a session however busy it is.)
 */
export const extendCommandDeadline = (conn: PosternConnection) => {
  if (hasState(conn.session)) getState(conn.session).deadline?.refresh();
};

export const armSessionDeadline = (conn: PosternConnection, state: SessionState) => {
  state.sessionDeadline = setTimeout(
    () => closeWith(conn, 421, '4.4.2', `${state.policy?.myhostname} Error: session time limit exceeded`),
    state.policy?.limits.sessionDeadlineMs ?? 3_600_000,
  );
  state.sessionDeadline.unref();
};

export const clearDeadlines = (state: SessionState) => {
  if (state.deadline) clearTimeout(state.deadline);
  if (state.sessionDeadline) clearTimeout(state.sessionDeadline);
};
