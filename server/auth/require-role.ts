import 'server-only';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { AppError } from '../errors/app-error';
import type { Actor, Role } from '../services/actor';
import { getDb } from '../db';
import { auth } from './auth';
import { hasSecondFactor } from '../services/auth/second-factors';
import { settingValue } from '../services/settings/setting-value';
import { clientAddressOf } from '../services/auth/login-throttle';
import { securityEvent } from '../services/auth/security-events';
import { safeNext } from './safe-next';

export { safeNext };

const RANK: Record<Role, number> = { USER: 0, OPERATOR: 1, ADMIN: 2 };

/** Pages and actions that stay open to a user who must still set up a second factor. */
export type Gate = { enrolment?: boolean };

/**
 * The signed-in actor, checked against the database on every request: a disabled user, a
 * changed password (sessionVersion) or a lowered role takes effect at once. `mustEnrol` is
 * set when the user's role must sign in with a second factor and the user has none yet.
 */
export const currentActor = async (): Promise<(Actor & { mustEnrol: boolean }) | null> => {
  const session = await auth();
  const u = session?.user as { address?: string; sv?: number } | undefined;
  if (!u?.address) return null;
  const db = await getDb();
  const user = await db.user.findUnique({ where: { address: u.address }, select: { address: true, role: true, active: true, sessionVersion: true } });
  if (!user || !user.active || user.sessionVersion !== u.sv) return null;
  const required = (await settingValue(db, 'postern_console_second_factor_roles')).toLowerCase().split(/[\s,]+/);
  const mustEnrol = required.includes(user.role.toLowerCase()) && !(await hasSecondFactor(db, user.address));
  return { address: user.address, role: user.role as Role, mustEnrol };
};

const forbidden = async (actor: Actor, needed: Role, what: string) => {
  const h = await headers();
  await securityEvent(await getDb(), { kind: 'security.forbidden', account: actor.address, client: clientAddressOf(h), text: `forbidden: ${what} needs the ${needed.toLowerCase()} role (caller is ${actor.role.toLowerCase()})` });
};

/** For pages and layouts: redirects to /login, or to the caller's own page when the role is too low. */
export const requireRole = async (needed: Role, gate: Gate = {}): Promise<Actor & { mustEnrol: boolean }> => {
  const actor = await currentActor();
  if (!actor) {
    const next = safeNext((await headers()).get('x-postern-path'));
    redirect(next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login');
  }
  if (RANK[actor.role] < RANK[needed]) {
    await forbidden(actor, needed, `page ${(await headers()).get('x-postern-path')?.split('?')[0] ?? ''}`.trim());
    redirect(actor.role === 'USER' ? '/account?denied=1' : '/dashboard?denied=1');
  }
  if (actor.mustEnrol && !gate.enrolment) redirect('/account?enrol=1');
  return actor;
};

/** For server actions and route handlers: throws instead of redirecting. */
export const assertActor = async (needed: Role, gate: Gate = {}): Promise<Actor> => {
  const actor = await currentActor();
  if (!actor) throw new AppError('UNAUTHENTICATED', 'Your session has ended; sign in again.');
  if (RANK[actor.role] < RANK[needed]) {
    await forbidden(actor, needed, 'an action');
    throw new AppError('FORBIDDEN', `This needs the ${needed.toLowerCase()} role.`);
  }
  if (actor.mustEnrol && !gate.enrolment) throw new AppError('FORBIDDEN', 'Your role must sign in with a second factor: set one up on My account first.');
  return actor;
};
