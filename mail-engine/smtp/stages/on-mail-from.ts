// MAIL FROM: re-pin the policy (a new transaction sees the latest revision), enforce
// smtpd_helo_required, SIZE against message_size_limit, submission's AUTH requirement,
// free space for the message (queue_minfree; 452 4.3.1), then the sender restrictions when
// smtpd_delay_reject = no.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { checkMail } from '../../policy/check-stage';
import { newLookupId } from '../../queue/queue-id';
import type { EngineContext } from '../engine-context';
import { count, getState, sessionFacts, syncClient } from '../session-state';
import { SmtpError } from '../smtp-error';

/** MAIL FROM parameters of the extensions advertised (SIZE, 8BITMIME, SMTPUTF8; AUTH= per RFC 4954). */
const MAIL_OPTIONS = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'AUTH']);

/** The first parameter outside `known`, as the client wrote it (Postfix: 555 5.5.4 Unsupported option). */
export const unsupportedOption = (args: Record<string, string | boolean> | false | undefined, known: ReadonlySet<string>) => {
  for (const [k, v] of Object.entries(args || {})) {
    if (!known.has(k.toUpperCase())) return typeof v === 'string' ? `${k}=${v}` : k;
  }
  return undefined;
};

export const onMailFrom = async (ctx: EngineContext, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> => {
  const state = getState(session);
  state.policy = ctx.cache.policy;
  state.lookupId = newLookupId();
  syncClient(state, session);
  state.rcptCount = 0;
  state.rcptOvershoot = 0;
  const policy = state.policy;
  const fail = (e: SmtpError) => {
    count(state, 'mail', false);
    return e;
  };
  if (!policy) throw fail(new SmtpError(451, '4.3.0', 'Error: server configuration problem'));
  if (policy.heloRequired && !session.hostNameAppearsAs) throw fail(new SmtpError(503, '5.5.1', 'Error: send HELO/EHLO first'));
  const args = address.args as Record<string, string | boolean> | false;
  const unsupported = unsupportedOption(args, MAIL_OPTIONS);
  if (unsupported) throw fail(new SmtpError(555, '5.5.4', `Unsupported option: ${unsupported}`));
  const size = Number((args && args.SIZE) || 0);
  if (policy.limits.messageSizeLimit > 0 && size > policy.limits.messageSizeLimit) {
    throw fail(new SmtpError(552, '5.3.4', 'Message size exceeds fixed limit'));
  }
  // Postfix's smtpd_check_queue: refuse now what could not be stored after the whole DATA.
  const shortage = await ctx.diskSpace.shortage(policy.limits.queueMinfree, policy.limits.messageSizeLimit);
  if (shortage) {
    ctx.logger.raw('smtpd', `warning: ${shortage}`);
    const text = 'Insufficient system storage';
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'MAIL', clientAddress: state.clientAddress, clientName: state.clientName, helo: session.hostNameAppearsAs, sender: address.address, code: 452, enhanced: '4.3.1', text, lookupId: state.lookupId });
    throw fail(new SmtpError(452, '4.3.1', text));
  }
  if (state.service === 'submission' || state.service === 'submissions') {
    if (!session.user) throw fail(new SmtpError(530, '5.7.0', 'Authentication required'));
  }
  const d = checkMail(policy, sessionFacts(state, session, address.address));
  if (d.action !== 'accept') {
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'MAIL', clientAddress: state.clientAddress, clientName: state.clientName, helo: session.hostNameAppearsAs, sender: address.address, code: d.reply.code, enhanced: d.reply.enhanced, text: d.reply.text, trace: d.trace, lookupId: state.lookupId });
    throw fail(SmtpError.from(d.reply));
  }
  count(state, 'mail', true);
};
