// DeliveryEvent rows, written in batches (every 200 ms, or at once past 500 events) in one
// transaction through the queue store, so the SMTP conversation never waits on the
// database. A failed batch is reported and retried with the next one; the backlog is
// bounded (the oldest events go first) so a dead database cannot exhaust memory — the
// Postfix-format mail.log keeps every line regardless.
import type { EngineEvent } from '../log/events';
import type { EventSink } from '../log/logger';
import type { EventRow, QueueStore } from './queue-store';

const MAX_PENDING = 50_000;
const BATCH = 500;


export const createDeliveryLogSink = (store: Pick<QueueStore, 'insertEvents'>, nodeId: string): EventSink & { close(): Promise<void> } => {
  let pending: (EngineEvent & { at: Date })[] = [];
  let writing: Promise<void> = Promise.resolve();
  let warned = 0;
  const timer = setInterval(() => void flush(), 200);
  timer.unref();

  const row = (e: EngineEvent & { at: Date }): EventRow => ({
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

  const write = (batch: (EngineEvent & { at: Date })[]) => store.insertEvents(batch.map(row));

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
