import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';

export const deleteUser = async (db: Db, actor: Actor, address: string) => {
  assertRole(actor, 'ADMIN');
  const a = address.trim().toLowerCase();
  const before = await db.user.findUnique({ where: { address: a }, select: { id: true, address: true, role: true } });
  if (!before) throw new AppError('NOT_FOUND', `No user ${a}`);
  if (before.role === 'ADMIN' && (await db.user.count({ where: { role: 'ADMIN', active: true } })) <= 1) {
    throw new AppError('FORBIDDEN', 'This is the last active admin; create another admin first');
  }
  await commitPolicyChange(db, actor, { action: 'user.delete', entity: 'user', entityId: a, summary: `remove user ${a}`, before }, (tx) => tx.user.delete({ where: { id: before.id } }));
  return before;
};
