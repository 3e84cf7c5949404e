// Rollback: the settings, domains, trusted networks and access tables become what they
// were right after an earlier revision, as a new revision (history is never rewritten).
// Users and aliases are accounts and stay as they are. The draft is compiled like any
// other change, so a rollback can never bring back an open relay.
import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange, type PolicySnapshot } from './commit-policy-change';

export const rollbackPolicy = async (db: Db, actor: Actor, revisionId: number) => {
  assertRole(actor, 'ADMIN');
  const rev = await db.policyRevision.findUnique({ where: { id: revisionId } });
  if (!rev) throw new AppError('NOT_FOUND', `No policy revision ${revisionId}`);
  if (!rev.snapshot) throw new AppError('INVALID_INPUT', `Revision ${revisionId} predates snapshots and cannot be restored; import its main.cf instead`);
  const snap = JSON.parse(rev.snapshot) as PolicySnapshot;
  const { revision } = await commitPolicyChange(
    db,
    actor,
    { action: 'policy.rollback', entity: 'policy', entityId: String(revisionId), summary: `roll back to revision ${revisionId}`, after: { revision: revisionId } },
    async (tx) => {
      await tx.setting.deleteMany({});
      for (const [name, value] of Object.entries(snap.settings)) await tx.setting.create({ data: { name, value } });
      await tx.domain.deleteMany({});
      for (const d of snap.domains) await tx.domain.create({ data: d });
      await tx.trustedNetwork.deleteMany({});
      for (const n of snap.networks) await tx.trustedNetwork.create({ data: n });
      await tx.accessEntry.deleteMany({});
      for (const e of snap.accessEntries) await tx.accessEntry.create({ data: e });
    },
  );
  return revision;
};
