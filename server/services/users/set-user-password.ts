// Password changes, by an admin (reset) or by the user (current password required). Not a
// policy revision (the policy's history is for the policy; SMTP AUTH reads the hash from the
// database on every login, so the change is live at once): an audit entry, in the same
// transaction as the hash, and sessionVersion moves so console sessions signed in with the
// old one end.
import type { Db } from '../../../prisma/client';
import { hashPassword } from '../../../mail-engine/auth/password-hash';
import { AppError } from '../../errors/app-error';
import { changeOwnPasswordSchema } from '../../schemas/user';
import { passwordSchema } from '../../schemas/common';
import { assertRole, type Actor } from '../actor';
import { parseInput } from '../validate';
import { revokeUserSessions } from '../auth/console-sessions';
import { confirmOwnPassword } from '../auth/reauthenticate';

const store = async (db: Db, actor: Actor, address: string, password: string, summary: string) => {
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { address }, data: { passwordHash, passwordChangedAt: new Date(), sessionVersion: { increment: 1 } } });
    // Every console session of the user ends (the one that changed it signs in again too).
    await revokeUserSessions(tx, address);
    await tx.auditEntry.create({ data: { actor: actor.address, action: 'user.password', entity: 'user', entityId: address, after: summary } });
  });
};

export const resetUserPassword = async (db: Db, actor: Actor, address: string, password: string) => {
  assertRole(actor, 'ADMIN');
  const a = address.trim().toLowerCase();
  parseInput(passwordSchema, password);
  if (!(await db.user.findUnique({ where: { address: a } }))) throw new AppError('NOT_FOUND', `No user ${a}`);
  await store(db, actor, a, password, `reset password of ${a}`);
};

/**
 * The user's own change: the current password is checked under the same throttle as a login
 * (a stolen session cannot guess it any faster), and a wrong one counts as a failed login.
 */
export const changeOwnPassword = async (db: Db, actor: Actor, input: unknown, client = 'unknown') => {
  const data = parseInput(changeOwnPasswordSchema, input);
  const user = await confirmOwnPassword(db, actor, data.currentPassword, client, 'password change');
  await store(db, actor, user.address, data.newPassword, `${user.address} changed their password`);
};
