// The engine's policy port over Prisma: the latest revision number, and the rows to compile.
import type { Db } from '../../prisma/client';
import { loadPolicyRows } from '../../prisma/policy-rows';
import type { PolicyRows } from '../policy/types';

export type PolicyStore = {
  latestRevision(): Promise<number>;
  loadRows(): Promise<PolicyRows>;
};

export const createPrismaPolicyStore = (db: Db): PolicyStore => ({
  latestRevision: async () => (await db.policyRevision.aggregate({ _max: { id: true } }))._max.id ?? 0,
  loadRows: () => loadPolicyRows(db),
});
