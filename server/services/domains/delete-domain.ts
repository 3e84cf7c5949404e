import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';

export const deleteDomain = async (db: Db, actor: Actor, nameOrId: string | number) => {
  assertRole(actor, 'ADMIN');
  const where = typeof nameOrId === 'number' ? { id: nameOrId } : { name: nameOrId.trim().toLowerCase() };
  const before = await db.domain.findUnique({ where });
  if (!before) throw new AppError('NOT_FOUND', `No domain ${nameOrId}`);
  await commitPolicyChange(db, actor, { action: 'domain.delete', entity: 'domain', entityId: before.name, summary: `remove domain ${before.name}`, before }, (tx) =>
    tx.domain.delete({ where: { id: before.id } }),
  );
  return before;
};
