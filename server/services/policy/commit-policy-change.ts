// Every change that affects the mail policy goes through here: the mutation, a compile of
// the resulting draft (unknown names, bad values and open relays are refused, so bad
// policy never reaches the engine), the new PolicyRevision with its rendered main.cf, and
// the audit entry — all in one transaction. After commit the engines are told at once
// (in-process bus; pg_notify across nodes, sent inside the transaction).
import { dbProvider, type Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { renderMainCf } from '../../../mail-engine/policy/main-cf-io';
import { POLICY_CHANNEL, publishPolicyRevision } from '../../../mail-engine/policy/policy-bus';
import { AppError } from '../../errors/app-error';
import type { Actor } from '../actor';

export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export type PolicyChange = { action: string; entity: string; entityId?: string; summary: string; before?: unknown; after?: unknown };

/** The policy rows a revision can be rolled back to (users and aliases are accounts, not policy). */
export type PolicySnapshot = {
  settings: Record<string, string>;
  domains: { name: string; kind: string; active: boolean; description: string }[];
  networks: { cidr: string; note: string; position: number }[];
  accessEntries: { table: string; key: string; action: string }[];
};

export const takeSnapshot = async (tx: Tx): Promise<PolicySnapshot> => ({
  settings: Object.fromEntries((await tx.setting.findMany({ orderBy: { name: 'asc' } })).map((s) => [s.name, s.value])),
  domains: await tx.domain.findMany({ select: { name: true, kind: true, active: true, description: true }, orderBy: { name: 'asc' } }),
  networks: await tx.trustedNetwork.findMany({ select: { cidr: true, note: true, position: true }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
  accessEntries: await tx.accessEntry.findMany({ select: { table: true, key: true, action: true }, orderBy: [{ table: 'asc' }, { key: 'asc' }] }),
});

export const commitPolicyChange = async <T>(db: Db, actor: Actor, change: PolicyChange, mutate: (tx: Tx) => Promise<T>): Promise<{ result: T; revision: number }> => {
  const isPg = dbProvider(db) === 'postgresql';
  const out = await db.$transaction(
    async (tx) => {
      const result = await mutate(tx);
      const rows = await loadPolicyRows(tx);
      const draft = compilePolicy({ ...rows, revision: rows.revision + 1 });
      if (!draft.ok) {
        throw new AppError('POLICY_INVALID', draft.errors.map((e) => `${e.parameter}: ${e.message}`).join('\n'));
      }
      const rev = await tx.policyRevision.create({
        data: {
          actor: actor.address,
          summary: change.summary,
          mainCf: renderMainCf(rows, `Postern policy revision ${rows.revision + 1}: ${change.summary}`),
          snapshot: JSON.stringify(await takeSnapshot(tx)),
        },
      });
      await tx.auditEntry.create({
        data: {
          actor: actor.address,
          action: change.action,
          entity: change.entity,
          entityId: change.entityId ?? '',
          before: change.before === undefined ? '' : JSON.stringify(change.before),
          after: change.after === undefined ? '' : JSON.stringify(change.after),
        },
      });
      if (isPg) await tx.$executeRawUnsafe(`SELECT pg_notify('${POLICY_CHANNEL}', '${rev.id}')`);
      return { result, revision: rev.id };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  publishPolicyRevision(out.revision);
  return out;
};
