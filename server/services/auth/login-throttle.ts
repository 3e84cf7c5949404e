// The console's side of login throttling: the same decision as SMTP AUTH
// (mail-engine/auth/auth-throttle.ts) over the same counts — every failed and successful
// console login is an auth.* DeliveryEvent (node "console"), which the engines count too,
// and the console counts theirs — so an account has one budget, whichever door is knocked
// on. The client address is the one cli/serve.ts stamped (socket or trusted proxy).
import { createSlowGate, decideThrottle, type ThrottleDecision } from '../../../mail-engine/auth/auth-throttle';
import { authFacts } from '../../../mail-engine/store/remote-auth-failures';
import { parseTime } from '../../../mail-engine/policy/parameters';
import { settingValue } from '../settings/setting-value';
import type { Db } from '../../../prisma/client';
import { securityEvent } from './security-events';

export const clientAddressOf = (headers: Headers) => headers.get('x-postern-client') || 'unknown';

export const checkLogin = async (db: Db, client: string, login: string): Promise<ThrottleDecision> => {
  const limit = Number(await settingValue(db, 'postern_auth_failure_limit')) || 5;
  const windowS = parseTime(await settingValue(db, 'postern_auth_failure_window')) ?? 600;
  const facts = await authFacts(db, client, login, new Date(Date.now() - windowS * 1000));
  return decideThrottle({ clientFailures: facts.client, accountFailures: facts.login, knownClient: facts.known }, limit);
};

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled' | 'slowed';

/** The security event (row and console.log line), counted by every node's throttle and shown to admins. */
export const recordLogin = (db: Db, client: string, login: string, outcome: LoginOutcome, what = 'console login', reason = '') =>
  securityEvent(db, { kind: `auth.${outcome}`, account: login, client, text: `${what} ${outcome}`, reason });

const GATE = Symbol.for('postern.console-login-gate');

/** Waits `ms` before the password is checked, one attempt at a time per account (one gate per process). */
export const slowLogin = ((globalThis as Record<symbol, ReturnType<typeof createSlowGate> | undefined>)[GATE] ??= createSlowGate());
