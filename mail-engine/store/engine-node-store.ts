// The engine node's row (EngineNode): its heartbeat, the policy revision it applied, its
// listeners and TLS, so the console can show "live on every node". Written through the queue
// store — on SQLite by its writer thread — so a database locked by another process delays
// the beat, never the event loop that runs the SMTP sessions.
import os from 'node:os';
import type { QueueStore } from './queue-store';

export type NodeReport = { appliedRevision: number; listeners: unknown[]; tls: string };

export const createEngineNodeStore = (store: Pick<QueueStore, 'upsertNode'>, nodeId: string, version: string) => {
  let beating = false;
  return {
    /** Upserts the node's row; a failure (database down or locked) is left to the next beat. */
    beat: async (report: NodeReport) => {
      if (beating) return; // one at a time: a beat stuck behind a lock is not queued up again
      beating = true;
      try {
        await store.upsertNode({
          id: nodeId,
          hostname: os.hostname(),
          pid: process.pid,
          version,
          heartbeatAt: new Date(),
          appliedRevision: report.appliedRevision,
          listeners: JSON.stringify(report.listeners),
          tls: report.tls,
        });
      } catch {
        /* the next beat retries */
      } finally {
        beating = false;
      }
    },
  };
};
