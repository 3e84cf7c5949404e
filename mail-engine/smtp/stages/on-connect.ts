// CONNECT: per-client connection count and rate limits, then the client restrictions when
// smtpd_delay_reject = no. Pins the policy snapshot for the session.
import type { SMTPServerSession } from 'smtp-server';
import { checkConnect } from '../../policy/check-stage';
import { newLookupId } from '../../queue/queue-id';
import type { EngineContext } from '../engine-context';
import { initState, type Service } from '../session-state';
import { SmtpError } from '../smtp-error';

export const onConnect = async (ctx: EngineContext, service: Service, session: SMTPServerSession): Promise<void> => {
  const clientAddress = (session.remoteAddress ?? '').replace(/^::ffff:/, '');
  const policy = ctx.cache.policy;
  const state = initState(session, {
    service,
    policy,
    lookupId: newLookupId(),
    clientAddress,
    clientName: 'unknown',
    connectedFrom: clientAddress,
    rcptCount: 0,
    rcptOvershoot: 0,
    errors: 0,
    counts: {},
    commands: 0,
  });
  const open = (ctx.perClient.get(clientAddress) ?? 0) + 1;
  ctx.perClient.set(clientAddress, open);
  ctx.logger.emit({ event: 'smtp.connect', status: 'info', clientAddress, clientName: state.clientName, lookupId: state.lookupId });
  if (!policy) throw new SmtpError(421, '4.3.0', `Server configuration problem, try again later`);
  const limit = policy.limits.clientConnectionLimit;
  const trusted = policy.mynetworks.match(clientAddress).matched;
  if (limit > 0 && open > limit && !trusted) {
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'CONNECT', clientAddress, clientName: state.clientName, code: 421, enhanced: '4.7.0', text: `Error: too many connections from ${clientAddress}`, lookupId: state.lookupId });
    throw new SmtpError(421, '4.7.0', `Error: too many connections from ${clientAddress}`);
  }
  const rate = policy.limits.clientRateLimit;
  if (rate > 0 && !trusted) {
    if (ctx.perClientRate.hit(clientAddress, Date.now()) > rate) throw new SmtpError(421, '4.7.0', `Error: too many connections from ${clientAddress}`);
  }
  const d = checkConnect(policy, { clientAddress, clientName: state.clientName, lookupId: state.lookupId });
  if (d.action !== 'accept') {
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'CONNECT', clientAddress, clientName: state.clientName, code: d.reply.code, enhanced: d.reply.enhanced, text: d.reply.text, trace: d.trace, lookupId: state.lookupId });
    throw SmtpError.from(d.reply);
  }
};
