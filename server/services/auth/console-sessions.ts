// Console sessions kept on the server. The signed cookie carries a session id; every request
// checks its row, so a signed-out, superseded or expired session is refused everywhere —
// a copied cookie stops working, and /api/auth/session no longer extends it. Sessions end
// at sign-out, when the user's password or role changes or the user is disabled, when an
// admin ends them, after postern_console_idle_timeout without use, and
// postern_console_session_lifetime after sign-in.
import { randomBytes } from 'node:crypto';
import { parseTime } from '../../../mail-engine/policy/parameters';
import { settingValue } from '../settings/setting-value';
import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { securityEvent } from './security-events';

type Tx = Pick<Db, 'consoleSession'>;

const LIMITS = Symbol.for('postern.console-session-limits');
type Limits = { idleMs: number; lifetimeMs: number; at: number };
const cache = globalThis as Record<symbol, Limits | undefined>;

/** The two lifetimes, from the settings (read at most every 10 s). */
const limits = async (db: Db): Promise<Limits> => {
  const c = cache[LIMITS];
  if (c && Date.now() - c.at < 10_000) return c;
  const read = async (name: string) => (parseTime(await settingValue(db, name)) ?? 3600) * 1000;
  const fresh = { idleMs: await read('postern_console_idle_timeout'), lifetimeMs: await read('postern_console_session_lifetime'), at: Date.now() };
  cache[LIMITS] = fresh;
  return fresh;
};

export const openSession = async (db: Db, userAddress: string, clientAddress: string, userAgent: string) => {
  const id = randomBytes(24).toString('base64url');
  await db.consoleSession.create({ data: { id, userAddress, clientAddress: clientAddress.slice(0, 100), userAgent: userAgent.slice(0, 300) } });
  return id;
};

/** Whether the session may go on; its last use is noted (at most once a minute). */
export const sessionAlive = async (db: Db, id: string | undefined, now = Date.now()) => {
  if (!id) return false;
  const s = await db.consoleSession.findUnique({ where: { id } });
  if (!s || s.revokedAt) return false;
  const { idleMs, lifetimeMs } = await limits(db);
  if (now - s.lastSeenAt.getTime() > idleMs || now - s.createdAt.getTime() > lifetimeMs) {
    await db.consoleSession.update({ where: { id }, data: { revokedAt: new Date(now) } }).catch(() => undefined);
    return false;
  }
  if (now - s.lastSeenAt.getTime() > Math.min(60_000, idleMs / 4)) await db.consoleSession.update({ where: { id }, data: { lastSeenAt: new Date(now) } }).catch(() => undefined);
  return true;
};

export const revokeSession = (db: Db, id: string | undefined) =>
  id ? db.consoleSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } }) : Promise.resolve({ count: 0 });

/** Ends every session of a user (inside the transaction that changed the user). */
export const revokeUserSessions = (tx: Tx, userAddress: string) => tx.consoleSession.updateMany({ where: { userAddress, revokedAt: null }, data: { revokedAt: new Date() } });

/** An admin's view of a user's open sessions. */
export const listUserSessions = async (db: Db, actor: Actor, userAddress: string) => {
  assertRole(actor, 'ADMIN');
  return db.consoleSession.findMany({ where: { userAddress: userAddress.toLowerCase(), revokedAt: null }, orderBy: { lastSeenAt: 'desc' }, take: 50 });
};

/** An admin ends one session (id) or all of a user's sessions. */
export const endSessions = async (db: Db, actor: Actor, o: { id?: string; userAddress?: string }, client = '') => {
  assertRole(actor, 'ADMIN');
  if (!o.id && !o.userAddress) throw new AppError('INVALID_INPUT', 'Which session?');
  const r = o.id ? await revokeSession(db, o.id) : await revokeUserSessions(db, o.userAddress!.toLowerCase());
  await db.auditEntry.create({ data: { actor: actor.address, action: 'session.end', entity: 'user', entityId: o.userAddress ?? o.id ?? '', after: String(r.count) } });
  if (r.count) await securityEvent(db, { kind: 'security.session_ended', account: o.userAddress ?? '', client, text: `${r.count} session(s) ended by ${actor.address}` });
  return r.count;
};
