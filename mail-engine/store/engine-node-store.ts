// The engine node's row (EngineNode): its heartbeat, the policy revision it applied, its
// listeners and TLS, so the console can show "live on every node".
import os from 'node:os';
import type { Db } from '../../prisma/client';

export type NodeReport = { appliedRevision: number; listeners: unknown[]; tls: string };

export const createEngineNodeStore = (db: Db, nodeId: string, version: string) => ({
  /** Upserts the node's row; a failure (database down) is left to the next beat. */
  beat: async (report: NodeReport) => {
    try {
      const data = {
        hostname: os.hostname(),
        pid: process.pid,
        version,
        heartbeatAt: new Date(),
        appliedRevision: report.appliedRevision,
        listeners: JSON.stringify(report.listeners),
        tls: report.tls,
      };
      await db.engineNode.upsert({ where: { id: nodeId }, create: { id: nodeId, startedAt: new Date(), ...data }, update: data });
    } catch {
      /* the database may be down; the next beat retries */
    }
  },
});
