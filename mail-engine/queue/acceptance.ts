// Acceptance (Postfix's cleanup): a message becomes durable before its 250. enqueue() adds
// it to the batch being formed; one transaction per batch inserts every message of it (body
// included) and its recipients, leased to this node, so many sessions share one fsync. The
// promise resolves only when that commit is durable. While a commit runs, the next batch forms.
//
// A message for a single local Maildir skips all this: it is delivered before its 250
// (deliverAtAcceptance), and only its log lines tell the queue's story.
import type { Policy } from '../policy/policy';
import type { EngineLogger } from '../log/logger';
import { queuedLines } from '../log/postfix-format';
import type { MaildirWriter } from '../delivery/deliver-maildir';
import type { NewMessage, QueuedMessage, QueueStore } from '../store/queue-store';
import { expandRecipients } from './enqueue-message';
import { groupCommit } from './group-commit';
import { newQueueId } from './queue-id';
import { deliveryHeaders } from './transports';
import { bodySize, isBodyFile, type BodyFile, type MessageBody } from '../store/message-body';

export type EnqueueInput = {
  queueId?: string;
  sender: string;
  /** Envelope recipients as the client gave them; resolved and alias-expanded here. */
  recipients: string[];
  /** The message as received, in the chunks it arrived in (a large one partly in its spool file). */
  body: Buffer | MessageBody;
  clientAddress: string;
  clientName: string;
  helo: string;
  saslUser: string;
  /** The SASL mechanism, for the log's client= line. */
  saslMethod?: string;
  protocol: string;
  /** Message-ID for the cleanup log line (pflogsumm); '' for none; read from the body when not given. */
  messageId?: string;
};

/** The Message-Id a message carries (its first chunk holds the header of the messages we make), or ''. */
const messageIdOf = (first: Uint8Array | BodyFile | undefined) => !first || isBodyFile(first) ? '' : /^message-id:[ \t]*<?([^>\r\n]*)>?/im.exec(Buffer.from(first.buffer, first.byteOffset, Math.min(first.byteLength, 16_384)).toString('latin1').split('\r\n\r\n')[0]!)?.[1]?.trim() ?? '';

export type Accepted = {
  message: QueuedMessage;
  /** Delivered already (single local Maildir): nothing left to schedule. */
  delivered: boolean;
};

export type AcceptanceDeps = {
  store: QueueStore;
  maildir: MaildirWriter;
  logger: EngineLogger;
  nodeId: string;
  leaseMs: () => number;
};

export const createAcceptance = (deps: AcceptanceDeps) => {
  const inserts = groupCommit<NewMessage, QueuedMessage>((batch) => deps.store.insertMessages(batch, deps.nodeId, deps.leaseMs()));

  /** The one local mailbox a message goes to, when that is all it goes to (Maildir transport). */
  const singleMailbox = (policy: Policy, recipients: { address: string }[]) => {
    if (policy.localTransport.kind !== 'maildir' || recipients.length !== 1) return undefined;
    const resolved = policy.resolve(recipients[0]!.address);
    const box = resolved.addressClass === 'local' ? policy.mailbox(resolved.address) : undefined;
    return box ? { address: resolved.address, quotaBytes: box.quotaBytes } : undefined;
  };

  /**
   * A message for one local Maildir is delivered before its 250, durably (file and directory
   * fsync'd by the store): its delivery is a file write and a rename, so a queue copy would
   * only be written to be removed again. Over its quota it goes to the queue instead (which
   * bounces it). Logged as Postfix logs a delivery, once the acceptance is logged.
   */
  const deliverAtAcceptance = async (m: Omit<NewMessage, 'body'>, mailbox: { address: string; quotaBytes: number }, body: MessageBody): Promise<QueuedMessage | undefined> => {
    const prepare = () => deps.maildir.prepare(mailbox.address, deliveryHeaders(m.sender, mailbox.address), body, mailbox.quotaBytes);
    const file = await prepare();
    if (file === 'over quota') return undefined;
    try {
      await deps.store.deliverFile(file);
    } catch (e) {
      // The Maildir was removed behind our back (ENOENT: nothing was written): make it again
      // and try once more (the file's buffer went to the writer, so it is prepared anew).
      // Any other failure, or a second one, is the caller's 451.
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      deps.maildir.forget(mailbox.address);
      const again = await prepare();
      if (again === 'over quota') return undefined;
      await deps.store.deliverFile(again);
    }
    const r = m.recipients[0]!;
    // After the caller's own log lines for the acceptance (they follow in this turn).
    setImmediate(() => {
      const now = Date.now();
      const delay = ((now - m.receivedAt.getTime()) / 1000).toFixed(2);
      const detail = { service: 'local', relay: 'local', delay, delays: `${delay}/0/0/0`, ...(r.original !== r.address ? { orig_to: r.original } : {}) };
      deps.logger.emit({ event: 'delivery.sent', status: 'sent', queueId: m.queueId, sender: m.sender, recipient: r.address, enhanced: '2.0.0', text: 'delivered to maildir', detail });
      deps.logger.emit({ event: 'message.removed', queueId: m.queueId });
    });
    // m.size: the message as received (the file's data, moved to the writer thread, is empty now).
    return { queueId: m.queueId, sender: m.sender, size: m.size, receivedAt: m.receivedAt, body: null, parts: 0, recipients: [{ id: 0, address: r.address, original: r.original, attempts: 1 }] };
  };

  const accept = async (policy: Policy, input: EnqueueInput): Promise<Accepted> => {
    const recipients = expandRecipients(policy, input.recipients);
    const chunks = Buffer.isBuffer(input.body) ? [input.body] : input.body;
    const mailbox = singleMailbox(policy, recipients);
    const m: Omit<NewMessage, 'body'> = {
      queueId: input.queueId ?? newQueueId(),
      sender: input.sender,
      recipients,
      size: bodySize(chunks),
      clientAddress: input.clientAddress,
      clientName: input.clientName,
      helo: input.helo,
      saslUser: input.saslUser,
      protocol: input.protocol,
      receivedAt: new Date(),
    };
    const deliveredCopy = mailbox ? await deliverAtAcceptance(m, mailbox, chunks) : undefined;
    const message = deliveredCopy ?? (await inserts.add({ ...m, body: chunks }));
    for (const [service, line] of queuedLines({ queueId: m.queueId, sender: m.sender, size: message.size, nrcpt: message.recipients.length, messageId: input.messageId ?? messageIdOf(chunks[0]!), client: input.clientAddress && input.protocol !== 'local' ? { name: input.clientName, address: input.clientAddress, saslUser: input.saslUser, saslMethod: input.saslMethod } : undefined })) {
      deps.logger.raw(service, line);
    }
    return { message, delivered: !!deliveredCopy };
  };

  return { accept, drained: () => inserts.drained() };
};
