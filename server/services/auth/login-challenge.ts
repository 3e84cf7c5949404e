// A sign-in half done. When the password is right and the account has a second factor, the
// console issues a challenge (an unguessable id, valid 5 minutes, 5 tries) instead of a
// session; the second step names it with a code or a WebAuthn assertion and never sends the
// password again. WebAuthn registrations keep their challenge here too.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../prisma/client';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const CHALLENGE_TRIES = 5;

export type Purpose = 'LOGIN' | 'REGISTER';

export const openChallenge = async (db: Db, userAddress: string, purpose: Purpose, challenge = '') => {
  const id = randomBytes(24).toString('base64url');
  // Stale challenges of anyone are swept as new ones are made: the table stays small.
  await db.loginChallenge.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  if (purpose === 'REGISTER') await db.loginChallenge.deleteMany({ where: { userAddress, purpose } });
  await db.loginChallenge.create({ data: { id, userAddress, purpose, challenge, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) } });
  return id;
};

/** The live challenge, or null when unknown, expired or out of tries. */
export const findChallenge = async (db: Db, id: string, purpose: Purpose) => {
  if (!id || id.length > 64) return null;
  const c = await db.loginChallenge.findUnique({ where: { id } });
  if (!c || c.purpose !== purpose || c.expiresAt.getTime() < Date.now() || c.attempts >= CHALLENGE_TRIES) return null;
  return c;
};

export const setChallengeNonce = (db: Db, id: string, challenge: string) => db.loginChallenge.update({ where: { id }, data: { challenge } });

export const failChallenge = (db: Db, id: string) => db.loginChallenge.update({ where: { id }, data: { attempts: { increment: 1 } } }).catch(() => undefined);

/** Used once: true only for the caller that removed it. */
export const consumeChallenge = async (db: Db, id: string) => (await db.loginChallenge.deleteMany({ where: { id } })).count === 1;
