// The engine's policy port: the latest revision number, and the rows to compile (Prisma).
// On SQLite the revision is read through a read-only connection of its own — a single
// indexed lookup of a few microseconds — so the engine can afford to ask every 25 ms and
// pick up changes committed by another process (the CLI, a second console) within that.
// PostgreSQL announces commits with NOTIFY; its poll is only the safety net.
import type { Db } from '../../prisma/client';
import { providerOf, sqlitePathOf } from '../../prisma/client';
import { loadPolicyRows } from '../../prisma/policy-rows';
import type { PolicyRows } from '../policy/types';

export type PolicyStore = {
  latestRevision(): Promise<number>;
  loadRows(): Promise<PolicyRows>;
  close(): void;
};

export const createPrismaPolicyStore = async (db: Db, url: string): Promise<PolicyStore> => {
  const viaPrisma = async () => (await db.policyRevision.aggregate({ _max: { id: true } }))._max.id ?? 0;
  if (providerOf(url) !== 'sqlite') return { latestRevision: viaPrisma, loadRows: () => loadPolicyRows(db), close: () => {} };
  const { default: Database } = await import('better-sqlite3');
  const ro = new Database(sqlitePathOf(url), { readonly: true, fileMustExist: true, timeout: 0 });
  const stmt = ro.prepare('SELECT MAX("id") AS id FROM "PolicyRevision"');
  return {
    latestRevision: async () => {
      try {
        return Number((stmt.get() as { id: number | null }).id ?? 0);
      } catch {
        return viaPrisma();
      }
    },
    loadRows: () => loadPolicyRows(db),
    close: () => ro.close(),
  };
};

/** How often the engine asks for the revision when nothing told it (ms). */
export const defaultPolicyPollMs = (url: string) => (providerOf(url) === 'sqlite' ? 25 : 1000);
