// Sensitive changes to one's own account (password, second factors, app passwords) ask for
// the current password again, under the same throttle as a login: a stolen session cannot
// guess it any faster, and a wrong one counts as a failed login of the account.
import type { Db } from '../../../prisma/client';
import { verifyPassword } from '../../../mail-engine/auth/password-hash';
import { AppError } from '../../errors/app-error';
import type { Actor } from '../actor';
import { checkLogin, recordLogin, slowLogin } from './login-throttle';

export const confirmOwnPassword = async (db: Db, actor: Actor, password: string, client: string, what: string) => {
  const user = await db.user.findUnique({ where: { address: actor.address } });
  if (!user || !user.active) throw new AppError('UNAUTHENTICATED', 'Sign in again');
  const throttle = await checkLogin(db, client, user.address);
  if (throttle.refuse) {
    await recordLogin(db, client, user.address, 'throttled', what);
    throw new AppError('RATE_LIMITED', 'Too many failed attempts. Wait a few minutes and try again.');
  }
  await slowLogin(user.address, throttle.slowMs);
  if (!password || !(await verifyPassword(user.passwordHash, password))) {
    await recordLogin(db, client, user.address, 'failed', what, 'wrong current password');
    throw new AppError('INVALID_INPUT', 'The current password is wrong', { currentPassword: ['The current password is wrong'] });
  }
  return user;
};
