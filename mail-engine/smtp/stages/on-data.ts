// DATA: always drain the stream; refuse oversize (552 5.3.4) and bare CR or LF line
// endings (no SMTP smuggling, never a bare LF in a stored copy); prepend Received:; hand
// the message to the queue, whose group commit makes it durable; only then 250
// "Ok: queued as ID". Any fault of ours answers 451 4.3.0 so the client retries.
import type { Readable } from 'node:stream';
import type { SMTPServerSession } from 'smtp-server';
import { newQueueId } from '../../queue/queue-id';
import type { EngineContext } from '../engine-context';
import { count, getState } from '../session-state';
import { SmtpError } from '../smtp-error';
import type { SmtpReply } from '../../policy/types';
import { authenticateMessage } from './mail-auth';
import { headerSection, mailDate, missingHeaders } from '../header-section';
import { createBodySpool, type BodySpool } from '../body-spool';
import { spoolDirOf } from '../../queue/large-bodies';
import { isBodyFile } from '../../store/message-body';

/**
 * Scans for a LF not preceded by CR, or a CR not followed by LF, across chunk boundaries.
 * Native searches (indexOf) visit only the CR and LF bytes, not every byte of the message.
 */
export const createLineEndingChecker = () => {
  let prev = -1;
  let bad = false;
  return {
    push(chunk: Buffer) {
      if (bad || !chunk.length) return;
      // A CR that ended the previous chunk must be followed by this chunk's first byte, LF.
      if (prev === 0x0d && chunk[0] !== 0x0a) return void (bad = true);
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
        if ((i === 0 ? prev : chunk[i - 1]) !== 0x0d) return void (bad = true);
      }
      for (let i = chunk.indexOf(0x0d); i >= 0; i = chunk.indexOf(0x0d, i + 1)) {
        if (i + 1 < chunk.length && chunk[i + 1] !== 0x0a) return void (bad = true);
      }
      prev = chunk[chunk.length - 1]!;
    },
    get bad() {
      return bad || prev === 0x0d;
    },
  };
};

export const onData = async (ctx: EngineContext, stream: Readable & { sizeExceeded?: boolean }, session: SMTPServerSession): Promise<SmtpReply> => {
  const state = getState(session);
  const policy = state.policy;
  const queueId = newQueueId();
  const spool = createBodySpool(spoolDirOf(ctx.dataDir, 'incoming'), queueId, Number(policy?.params.postern_body_memory_limit ?? 262_144));
  try {
    return await receive(ctx, stream, session, queueId, spool);
  } finally {
    await spool.discard();
  }
};

const receive = async (ctx: EngineContext, stream: Readable & { sizeExceeded?: boolean }, session: SMTPServerSession, queueId: string, spool: BodySpool): Promise<SmtpReply> => {
  const state = getState(session);
  const policy = state.policy;
  const lines = createLineEndingChecker();
  let size = 0;
  let spoolError: Error | undefined;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    lines.push(b);
    size += b.length;
    // Past the limit the rest is drained but not kept; so is everything after a spool write failed.
    if (spoolError || stream.sizeExceeded || (policy?.limits.messageSizeLimit && size > policy.limits.messageSizeLimit)) continue;
    await spool.push(b).catch((e: Error) => (spoolError = e));
  }
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const recipients = session.envelope.rcptTo.map((r) => r.address);
  const base = { clientAddress: state.clientAddress, clientName: state.clientName, helo: session.hostNameAppearsAs, sender, lookupId: state.lookupId };
  const refuse = (e: SmtpError) => {
    count(state, 'data', false);
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'DATA', ...base, code: e.responseCode, enhanced: e.enhanced, text: e.text });
    return e;
  };
  if (!policy) throw refuse(new SmtpError(451, '4.3.0', 'Error: server configuration problem'));
  if (stream.sizeExceeded || (policy.limits.messageSizeLimit && size > policy.limits.messageSizeLimit)) {
    throw refuse(new SmtpError(552, '5.3.4', 'Error: message file too big'));
  }
  if (lines.bad) throw refuse(new SmtpError(550, '5.5.2', 'Error: bare <CR> or <LF> received'));
  if (spoolError) {
    process.stderr.write(`postern: spool write failed: ${spoolError.message}\n`);
    throw refuse(new SmtpError(451, '4.3.0', 'Error: queue file write error'));
  }
  const chunks = await spool.finish();

  // Cleanup's missing Message-Id:/Date: for local_header_rewrite_clients, before signing.
  const arrived = headerSection(chunks.filter((c): c is Buffer => !isBodyFile(c)));
  const added = missingHeaders(arrived, { rewrite: policy.headerRewrite({ address: state.clientAddress, authenticated: !!session.user }), queueId, myhostname: policy.myhostname, now: new Date() });
  const message = added.lines ? [Buffer.from(added.lines), ...chunks] : chunks;
  const headers = added.lines + arrived;
  // DKIM signing for our own users, SPF/DKIM/DMARC/ARC checks for everyone else (mail-auth.ts).
  const auth = await authenticateMessage(ctx, policy, state, session, { sender, recipients, chunks: message, headers });
  if (auth.decision && auth.decision.action !== 'accept') {
    const { reply } = auth.decision;
    count(state, 'data', false);
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'END-OF-MESSAGE', ...base, code: reply.code, enhanced: reply.enhanced, text: reply.text, trace: auth.decision.trace, detail: auth.note ? { auth: auth.note } : undefined });
    throw new SmtpError(reply.code, reply.enhanced, reply.text);
  }

  const proto = session.user ? (session.secure ? 'ESMTPSA' : 'ESMTPA') : session.secure ? 'ESMTPS' : session.transmissionType || 'ESMTP';
  const received =
    `Received: from ${session.hostNameAppearsAs || 'unknown'} (${state.clientName} [${state.clientAddress}])\r\n` +
    `\tby ${policy.myhostname} (Postern) with ${proto} id ${queueId}` +
    (recipients.length === 1 ? `\r\n\tfor <${recipients[0]}>` : '') +
    `; ${mailDate(new Date())}\r\n`;
  try {
    const body = [Buffer.from(received + auth.prepend), ...auth.body];
    const messageId = added.messageId;
    const res = await ctx.queue.enqueue({
      queueId,
      sender,
      recipients,
      body,
      clientAddress: state.clientAddress,
      clientName: state.clientName,
      helo: session.hostNameAppearsAs || '',
      saslUser: typeof session.user === 'string' ? session.user : '',
      saslMethod: state.saslMethod,
      protocol: proto,
      messageId,
    });
    count(state, 'data', true);
    state.junk = 0; // smtpd_junk_command_limit counts from the last message accepted
    ctx.logger.emit({ event: 'message.accepted', status: 'accepted', ...base, queueId, saslUser: typeof session.user === 'string' ? session.user : undefined, saslMethod: state.saslMethod, detail: { size: res.size, nrcpt: res.recipients.length, ...(auth.note ? { auth: auth.note } : {}) }, trace: auth.decision?.trace });
    return { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${queueId}` };
  } catch (e) {
    process.stderr.write(`postern: queue write failed: ${(e as Error).message}\n`);
    throw refuse(new SmtpError(451, '4.3.0', 'Error: queue file write error'));
  }
};
