// App passwords for SMTP AUTH, made and revoked by their user on the account page. The
// password is shown once and kept as an argon2id hash; each has a label, and the engine
// notes when and from which address it was last used. A user with a second factor signs
// in to SMTP with these only (mail-engine/auth/verify-credentials.ts).
import type { Db } from '../../../prisma/client';
import { hashPassword } from '../../../mail-engine/auth/password-hash';
import { canonicalAppPassword, newAppPassword } from '../../../mail-engine/auth/app-password';
import { AppError } from '../../errors/app-error';
import type { Actor } from '../actor';
import { confirmOwnPassword } from './reauthenticate';
import { securityEvent } from './security-events';

export const APP_PASSWORD_LIMIT = 20;

export const listAppPasswords = (db: Db, actor: Actor) =>
  db.appPassword.findMany({ where: { userAddress: actor.address }, orderBy: { createdAt: 'desc' }, select: { id: true, label: true, createdAt: true, lastUsedAt: true, lastUsedAddress: true } });

export const createAppPassword = async (db: Db, actor: Actor, input: { label: string; currentPassword: string }, client: string) => {
  const label = input.label.trim();
  if (!label || label.length > 60 || /[\x00-\x1f\x7f]/.test(label)) {
    throw new AppError('INVALID_INPUT', 'Give the app password a name of 1 to 60 characters (say, "Phone mail app").', { label: ['1 to 60 characters'] });
  }
  await confirmOwnPassword(db, actor, input.currentPassword, client, 'app password change');
  if ((await db.appPassword.count({ where: { userAddress: actor.address } })) >= APP_PASSWORD_LIMIT) {
    throw new AppError('INVALID_INPUT', `You have ${APP_PASSWORD_LIMIT} app passwords, the most allowed; revoke one you no longer use first.`);
  }
  const password = newAppPassword();
  await db.appPassword.create({ data: { userAddress: actor.address, label, hash: await hashPassword(canonicalAppPassword(password)!) } });
  await securityEvent(db, { kind: 'security.app_password_created', account: actor.address, client, text: `app password "${label}" created` });
  return { label, password };
};

export const revokeAppPassword = async (db: Db, actor: Actor, id: number, client: string) => {
  const row = await db.appPassword.findFirst({ where: { id, userAddress: actor.address } });
  if (!row) throw new AppError('NOT_FOUND', 'No such app password (already revoked?).');
  await db.appPassword.delete({ where: { id: row.id } });
  await securityEvent(db, { kind: 'security.app_password_revoked', account: actor.address, client, text: `app password "${row.label}" revoked` });
};
