// The database poll (Postfix's qmgr scanning the deferred queue): recipients whose next
// attempt is due, or whose lease was released, are leased to this node and scheduled. One
// scan at a time; a scan asked for while one runs makes one more afterwards.
import type { QueuedMessage } from '../store/queue-store';

export type PollerDeps = {
  /** Leases up to `limit` due recipients (with their messages). */
  leaseDue: (limit: number) => Promise<QueuedMessage[]>;
  /** How many recipients may be taken now (0: the scheduler is full). */
  room: () => number;
  ready: () => boolean;
  schedule: (m: QueuedMessage) => void;
};

const BATCH = 200;

export const createPoller = (deps: PollerDeps) => {
  let polling: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = (): Promise<void> => {
    if (polling) {
      again = true;
      return polling;
    }
    polling = (async () => {
      if (stopped || !deps.ready()) return;
      const room = deps.room();
      if (!room) return;
      const limit = Math.min(room, BATCH);
      const due = await deps.leaseDue(limit);
      for (const m of due) deps.schedule(m);
      // A full batch: there may be more due right away.
      if (due.reduce((n, m) => n + m.recipients.length, 0) >= limit) again = true;
    })()
      .catch((e) => {
        process.stderr.write(`postern: queue scan failed: ${(e as Error).message}\n`);
      })
      .finally(() => {
        polling = undefined;
        if (again && !stopped) {
          again = false;
          setTimeout(() => void poll(), 10).unref();
        }
      });
    return polling;
  };

  return {
    poll,
    start(everyMs: number) {
      timer = setInterval(() => void poll(), everyMs);
      timer.unref();
      void poll();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await polling;
    },
  };
};
