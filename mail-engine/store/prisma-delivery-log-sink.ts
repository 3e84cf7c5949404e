// DeliveryEvent rows, written in batches (every 200 ms or 500 events) so the SMTP
// conversation never waits on the database. Failures are reported and the batch is retried
// once; events are never allowed to pile up without bound.
import type { Db } from '../../prisma/client';
import type { EngineEvent } from '../log/events';
import type { EventSink } from '../log/logger';

const MAX_PENDING = 50_000;

export const createPrismaDeliveryLogSink = (db: Db, nodeId: string): EventSink & { close(): Promise<void> } => {
  let pending: (EngineEvent & { at: Date })[] = [];
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void flush(), 200);
  timer.unref();

  const toRow = (e: EngineEvent & { at: Date }) => ({
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

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      try {
        await db.deliveryEvent.createMany({ data: batch.map(toRow) });
      } catch (e) {
        process.stderr.write(`postern: delivery log write failed (${(e as Error).message}); retrying ${batch.length} events\n`);
        if (pending.length + batch.length <= MAX_PENDING) pending = [...batch, ...pending];
      }
    });
    return writing;
  };

  return {
    write: (e) => {
      if (pending.length >= MAX_PENDING) pending.shift();
      pending.push(e);
      if (pending.length >= 500) void flush();
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};
