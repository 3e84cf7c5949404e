import 'server-only';
import { redirect } from 'next/navigation';
import { AppError } from '../errors/app-error';
import type { Actor, Role } from '../services/actor';
import { getDb } from '../db';
import { auth } from './auth';

const RANK: Record<Role, number> = { USER: 0, OPERATOR: 1, ADMIN: 2 };

/**
 * The signed-in actor, checked against the database on every request: a disabled user, a
 * changed password (sessionVersion) or a lowered role takes effect at once.
 */
export const currentActor = async (): Promise<Actor | null> => {
  const session = await auth();
  const u = session?.user as { address?: string; sv?: number } | undefined;
  if (!u?.address) return null;
  const db = await getDb();
  const user = await db.user.findUnique({ where: { address: u.address }, select: { address: true, role: true, active: true, sessionVersion: true } });
  if (!user || !user.active || user.sessionVersion !== u.sv) return null;
  return { address: user.address, role: user.role as Role };
};

/** For pages and layouts: redirects to /login, or to the caller's own page when the role is too low. */
export const requireRole = async (needed: Role): Promise<Actor> => {
  const actor = await currentActor();
  if (!actor) redirect('/login');
  if (RANK[actor.role] < RANK[needed]) redirect(actor.role === 'USER' ? '/account?denied=1' : '/dashboard?denied=1');
  return actor;
};

/** For server actions and route handlers: throws instead of redirecting. */
export const assertActor = async (needed: Role): Promise<Actor> => {
  const actor = await currentActor();
  if (!actor) throw new AppError('UNAUTHENTICATED', 'Your session has ended; sign in again.');
  if (RANK[actor.role] < RANK[needed]) throw new AppError('FORBIDDEN', `This needs the ${needed.toLowerCase()} role.`);
  return actor;
};
