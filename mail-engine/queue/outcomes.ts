// Outcomes (Postfix's qmgr, bounce and defer services): a message's delivery results become
// recipient records (DELIVERED, DEFERRED with the next attempt, BOUNCED, EXPIRED), log lines,
// and — for permanent failures of a message that had a sender — the RFC 3464 bounce to
// enqueue. settleMessage() returns the bounce as a value; the queue manager enqueues it.
import type { Policy } from '../policy/policy';
import type { EngineLogger } from '../log/logger';
import { buildBounce, type FailedRecipient } from '../delivery/bounce';
import type { QueuedMessage, RecipientOutcome } from '../store/queue-store';
import type { EnqueueInput } from './acceptance';
import { isExpired, nextAttemptAt, type RetryPolicy } from './retry-schedule';
import type { RecipientResult } from './scheduler';

const DEFAULT_RETRY: RetryPolicy = { minimalBackoffS: 300, maximalBackoffS: 4000, maximalQueueLifetimeS: 432_000 };

export type Settled = {
  records: RecipientOutcome[];
  /** The non-delivery notification to enqueue, if any. */
  bounce?: EnqueueInput;
};

/** Logs each recipient's outcome and turns the results into records and, maybe, a bounce. */
export const settleMessage = (policy: Policy | undefined, logger: EngineLogger, m: QueuedMessage, results: RecipientResult[], started: number, now = new Date()): Settled => {
  const retry = policy?.delivery.retry ?? DEFAULT_RETRY;
  const records: RecipientOutcome[] = [];
  const failed: FailedRecipient[] = [];
  for (const { r, o: outcome0, service } of results) {
    let o = outcome0;
    if (o.kind === 'deferred' && isExpired(m.receivedAt, now, retry)) {
      o = { ...o, kind: 'bounced', text: `message expired after ${retry.maximalQueueLifetimeS}s in the queue: ${o.text}` };
    }
    const expired = o.kind === 'bounced' && o.text.startsWith('message expired');
    const detail = {
      service,
      relay: o.relay,
      delay: ((now.getTime() - m.receivedAt.getTime()) / 1000).toFixed(2),
      delays: `${((started - m.receivedAt.getTime()) / 1000).toFixed(2)}/0/0/${((now.getTime() - started) / 1000).toFixed(2)}`,
      ...(r.original !== r.address ? { orig_to: r.original } : {}),
    };
    const base = { queueId: m.queueId, sender: m.sender, recipient: r.address, enhanced: o.dsn, text: o.text, detail };
    if (o.kind === 'sent') {
      records.push({ id: r.id, messageId: m.queueId, state: 'DELIVERED', error: '' });
      logger.emit({ event: 'delivery.sent', status: 'sent', ...base });
    } else if (o.kind === 'deferred') {
      records.push({ id: r.id, messageId: m.queueId, state: 'DEFERRED', error: o.text, nextAttemptAt: nextAttemptAt(r.attempts + 1, now, retry) });
      logger.emit({ event: 'delivery.deferred', status: 'deferred', ...base });
    } else {
      records.push({ id: r.id, messageId: m.queueId, state: expired ? 'EXPIRED' : 'BOUNCED', error: o.text });
      logger.emit({ event: expired ? 'delivery.expired' : 'delivery.bounced', status: expired ? 'expired' : 'bounced', ...base });
      failed.push({ address: r.address, original: r.original, dsn: o.dsn, text: o.text, action: 'failed' });
    }
  }
  if (!failed.length || m.sender === '' || !policy || !m.body) return { records };
  const headerEnd = m.body.indexOf('\r\n\r\n');
  const body = buildBounce({
    myhostname: policy.myhostname,
    queueId: m.queueId,
    sender: m.sender,
    arrivalDate: m.receivedAt,
    failed,
    originalHeaders: m.body.subarray(0, headerEnd < 0 ? m.body.length : headerEnd).toString('utf8'),
  });
  const bounce: EnqueueInput = { sender: '', recipients: [m.sender], body, clientAddress: '127.0.0.1', clientName: 'localhost', helo: policy.myhostname, saslUser: '', protocol: 'local' };
  return { records, bounce };
};

/** When the bounce cannot be queued, the failures stay deferred so that it is tried again. */
export const deferFailures = (records: RecipientOutcome[], policy: Policy | undefined, now = new Date()) => {
  const retry = policy?.delivery.retry ?? DEFAULT_RETRY;
  for (const rec of records) if (rec.state !== 'DELIVERED' && rec.state !== 'DEFERRED') Object.assign(rec, { state: 'DEFERRED', nextAttemptAt: nextAttemptAt(1, now, retry) });
};
