// Scheduling (Postfix's qmgr's in-memory queues): delivery tasks run under a global limit
// and a per-destination limit; when every task of a message has ended, the message's
// outcomes are handed on whole (to be recorded together, and bounced together).
import type { DeliveryOutcome } from '../delivery/classify-reply';
import type { QueuedMessage, QueuedRecipient } from '../store/queue-store';

export type Task = {
  message: QueuedMessage;
  recipients: QueuedRecipient[];
  /** What the concurrency limit counts: 'local:<domain>', 'lmtp', or the SMTP next hop. */
  destination: string;
  /** The transport's name for the log (local, lmtp, smtp). */
  service: string;
  run: () => Promise<Map<string, DeliveryOutcome>>;
};

export type RecipientResult = { r: QueuedRecipient; o: DeliveryOutcome; service: string };

export type SchedulerDeps = {
  maxInFlight: number;
  limitFor: (destination: string) => number;
  /** Called once per message, when all its tasks have ended. */
  onMessageDone: (m: QueuedMessage, results: RecipientResult[], started: number) => Promise<void>;
};

const noStatus: DeliveryOutcome = { kind: 'deferred', dsn: '4.3.0', text: 'no delivery status', relay: 'none' };

export const createScheduler = (deps: SchedulerDeps) => {
  const waiting: Task[] = [];
  const active = new Map<string, number>();
  let inFlight = 0;
  let stopped = false;
  /** Per message: tasks outstanding and the outcomes gathered so far. */
  const progress = new Map<string, { left: number; results: RecipientResult[]; started: number }>();

  const runTask = async (t: Task) => {
    let results: Map<string, DeliveryOutcome>;
    try {
      results = await t.run();
    } catch (e) {
      const outcome: DeliveryOutcome = { kind: 'deferred', dsn: '4.3.0', text: `delivery failed: ${(e as Error).message}`, relay: 'none' };
      results = new Map(t.recipients.map((r) => [r.address, outcome]));
    }
    const p = progress.get(t.message.queueId);
    if (!p) return;
    for (const r of t.recipients) p.results.push({ r, o: results.get(r.address) ?? noStatus, service: t.service });
    if (--p.left > 0) return;
    progress.delete(t.message.queueId);
    await deps.onMessageDone(t.message, p.results, p.started);
  };

  const pump = () => {
    if (stopped) return;
    for (let i = 0; i < waiting.length && inFlight < deps.maxInFlight; ) {
      const t = waiting[i]!;
      if ((active.get(t.destination) ?? 0) >= deps.limitFor(t.destination)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      inFlight++;
      active.set(t.destination, (active.get(t.destination) ?? 0) + 1);
      void runTask(t).finally(() => {
        inFlight--;
        const n = (active.get(t.destination) ?? 1) - 1;
        if (n) active.set(t.destination, n);
        else active.delete(t.destination);
        pump();
      });
    }
  };

  return {
    /** Queues a message's tasks (a message with none is done at once). */
    add(m: QueuedMessage, tasks: Task[]) {
      progress.set(m.queueId, { left: tasks.length, results: [], started: Date.now() });
      waiting.push(...tasks);
      pump();
    },
    /** Tasks that may still be taken before the poll should stop adding more. */
    room: () => Math.max(0, deps.maxInFlight * 2 - waiting.length),
    busy: () => waiting.length > 0 || inFlight > 0 || progress.size > 0,
    inFlight: () => inFlight,
    /** No new task starts; those running finish. */
    stop() {
      stopped = true;
    },
  };
};
