// DeliveryEvent rows, written in batches (every 200 ms, or at once past 500 events) in one
// transaction through the queue store, so the SMTP conversation never waits on the
// database. A failed batch is reported and retried with the next one; the backlog is
// bounded (the oldest events go first) so a dead database cannot exhaust memory — the
// Postfix-format mail.log keeps every line regardless. Events that come with a journal key
// (event-journal.ts) commit with the key of the batch's last one, and `committed` is told.
import type { EventSink, LoggedEvent } from '../log/logger';
import type { EventRow, QueueStore } from './queue-store';

const MAX_PENDING = 50_000;
const BATCH = 500;


export const createDeliveryLogSink = (store: Pick<QueueStore, 'insertEvents'>, nodeId: string, committed?: (key: string) => void): EventSink & { close(): Promise<void> } => {
  let pending: LoggedEvent[] = [];
  let writing: Promise<void> = Promise.resolve();
  let warned = 0;
  const timer = setInterval(() => void flush(), 200);
  timer.unref();

  const row = (e: LoggedEvent): EventRow => ({
    at: e.at,
    event: e.event,
    status: e.status ?? '',
    queueId: e.queueId ?? '',
    lookupId: e.lookupId ?? '',
    nodeId,
    clientAddress: e.clientAddress ?? '',
    clientName: e.clientName ?? '',
    helo: e.helo ?? '',
    saslUser: e.saslUser ?? '',
    sender: e.sender ?? '',
    recipient: e.recipient ?? '',
    code: e.code ?? 0,
    enhanced: e.enhanced ?? '',
    text: e.text ?? '',
    trace: e.trace ? JSON.stringify(e.trace) : '',
  });

  const write = async (batch: LoggedEvent[]) => {
    let key = '';
    for (const e of batch) if (e.key && e.key > key) key = e.key;
    await store.insertEvents(batch.map(row), key ? { nodeId, key } : undefined);
    if (key) committed?.(key);
  };

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      while (pending.length) {
        const batch = pending.slice(0, BATCH);
        pending = pending.slice(batch.length);
        try {
          await write(batch);
        } catch (e) {
          if (Date.now() - warned > 10_000) {
            warned = Date.now();
            process.stderr.write(`postern: delivery log write failed (${(e as Error).message}); keeping ${batch.length + pending.length} events for the next try\n`);
          }
          pending = [...batch, ...pending].slice(-MAX_PENDING);
          return;
        }
      }
    });
    return writing;
  };

  return {
    write: (e) => {
      if (pending.length >= MAX_PENDING) pending.shift();
      pending.push(e);
      if (pending.length >= BATCH) void flush();
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};
