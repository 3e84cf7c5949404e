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
  await commitPolicyChange(db, actor, { action: 'user.delete', entity: 'user', entityId: a, summary: `remove user ${a}`, before }, async (tx) => {
    await tx.user.delete({ where: { id: before.id } });
    // What belonged to the account goes with it: a new user of the same address starts clean.
    await tx.consoleSession.updateMany({ where: { userAddress: a, revokedAt: null }, data: { revokedAt: new Date() } });
    await tx.secondFactor.deleteMany({ where: { userAddress: a } });
    await tx.recoveryCode.deleteMany({ where: { userAddress: a } });
    await tx.appPassword.deleteMany({ where: { userAddress: a } });
    await tx.loginChallenge.deleteMany({ where: { userAddress: a } });
  });
  return before;
};
