// CLOSE: timers stopped, the client's connection slot given back, and Postfix's
// "disconnect from … ehlo=1 mail=1 … commands=N" logged.
import type { SMTPServerSession } from 'smtp-server';
import { clearDeadlines } from '../deadlines';
import type { EngineContext } from '../engine-context';
import { formatCounts, getState, hasState } from '../session-state';

export const onClose = (ctx: EngineContext, session: SMTPServerSession) => {
  if (!hasState(session)) return;
  const state = getState(session);
  clearDeadlines(state);
  const open = (ctx.perClient.get(state.connectedFrom) ?? 1) - 1;
  if (open <= 0) ctx.perClient.delete(state.connectedFrom);
  else ctx.perClient.set(state.connectedFrom, open);
  ctx.logger.emit({ event: 'smtp.disconnect', status: 'info', clientAddress: state.clientAddress, clientName: state.clientName, lookupId: state.lookupId, detail: { counts: formatCounts(state) } });
};
