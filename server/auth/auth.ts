import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDummyHash, verifyPassword } from '../../mail-engine/auth/password-hash';
import type { Db } from '../../prisma/client';
import { getDb } from '../db';
import { authConfig } from './auth.config';
import { openSession, revokeSession, sessionAlive } from '../services/auth/console-sessions';
import { checkLogin, clientAddressOf, recordLogin, slowLogin } from '../services/auth/login-throttle';
import { consumeChallenge, failChallenge, findChallenge, openChallenge } from '../services/auth/login-challenge';
import { acceptCode, hasSecondFactor } from '../services/auth/second-factors';
import { acceptAssertion } from '../services/auth/webauthn';
import { relyingParty } from '../services/auth/relying-party';
import { securityEvent } from '../services/auth/security-events';

class ThrottledSignin extends CredentialsSignin {
  code = 'throttled';
}
/** The password was right; the second step must name this challenge. */
class SecondFactorDue extends CredentialsSignin {
  constructor(id: string) {
    super();
    this.code = `second-factor:${id}`;
  }
}
class SecondFactorWrong extends CredentialsSignin {
  code = 'second-factor-wrong';
}
class ChallengeGone extends CredentialsSignin {
  code = 'challenge-gone';
}

const passwordStep = z.object({ address: z.string().trim().toLowerCase().min(1).max(320), password: z.string().min(1).max(1024) });
const factorStep = z.object({ challenge: z.string().min(1).max(64), code: z.string().max(64).optional(), webauthn: z.string().max(20_000).optional() });

const signedIn = async (db: Db, user: { id: number; address: string; role: string; sessionVersion: number }, ip: string, request: Request) => {
  await recordLogin(db, ip, user.address, 'succeeded');
  const sid = await openSession(db, user.address, ip, request.headers.get('user-agent') ?? '');
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: String(user.id), address: user.address, role: user.role, sv: user.sessionVersion, sid, email: user.address } as never;
};

/**
 * Step two of a sign-in with a second factor: a TOTP or recovery code, or a WebAuthn
 * assertion, for a live challenge. Failures count against the account and the client like
 * wrong passwords (the same throttle), and five end the challenge.
 */
const factorLogin = async (db: Db, raw: unknown, ip: string, request: Request) => {
  const parsed = factorStep.safeParse(raw);
  if (!parsed.success) return null;
  const c = await findChallenge(db, parsed.data.challenge, 'LOGIN');
  if (!c) throw new ChallengeGone();
  const throttle = await checkLogin(db, ip, c.userAddress);
  if (throttle.refuse) {
    await recordLogin(db, ip, c.userAddress, 'throttled', 'console second factor');
    throw new ThrottledSignin();
  }
  if (throttle.slowMs) await slowLogin(c.userAddress, throttle.slowMs);
  const { code, webauthn } = parsed.data;
  const ok = webauthn ? await acceptAssertion(db, c.userAddress, c.challenge, webauthn, relyingParty(request.headers)) : code ? !!(await acceptCode(db, c.userAddress, code)) : false;
  if (!ok) {
    await failChallenge(db, c.id);
    await recordLogin(db, ip, c.userAddress, 'failed', 'console second factor', webauthn ? 'security key not accepted' : 'wrong code');
    await new Promise((r) => setTimeout(r, throttle.failDelayMs));
    throw new SecondFactorWrong();
  }
  if (!(await consumeChallenge(db, c.id))) throw new ChallengeGone();
  const user = await db.user.findUnique({ where: { address: c.userAddress } });
  if (!user || !user.active) return null;
  return signedIn(db, user, ip, request);
};

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  callbacks: {
    ...authConfig.callbacks,
    // Every use of the session (a page, an action, /api/auth/session) checks its row: a
    // revoked, idle or expired session ends here, and its cookie is cleared.
    jwt: async (params) => {
      const token = authConfig.callbacks.jwt(params);
      if (params.user) token.sid = (params.user as { sid?: string }).sid;
      return (await sessionAlive(await getDb(), token.sid as string | undefined)) ? token : null;
    },
  },
  events: {
    signOut: async (message) => {
      const token = 'token' in message ? message.token : null;
      const db = await getDb();
      const r = await revokeSession(db, (token?.sid as string | undefined) ?? undefined);
      if (r.count && token?.address) await securityEvent(db, { kind: 'security.session_ended', account: String(token.address), client: '', text: 'signed out' });
    },
  },
  providers: [
    Credentials({
      credentials: { address: {}, password: {}, challenge: {}, code: {}, webauthn: {} },
      // The same argon2id hash and the same throttle as SMTP AUTH; one message for every
      // failure, known login or not (no enumeration).
      authorize: async (raw, request) => {
        const ip = clientAddressOf(request.headers);
        const db = await getDb();
        if (raw && typeof raw === 'object' && 'challenge' in raw && raw.challenge) return factorLogin(db, raw, ip, request);
        const parsed = passwordStep.safeParse(raw);
        if (!parsed.success) return null;
        const { address, password } = parsed.data;
        const throttle = await checkLogin(db, ip, address);
        if (throttle.refuse) {
          await recordLogin(db, ip, address, 'throttled');
          throw new ThrottledSignin();
        }
        if (throttle.slowMs) {
          await recordLogin(db, ip, address, 'slowed');
          await slowLogin(address, throttle.slowMs);
        }
        const user = await db.user.findUnique({ where: { address } });
        const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await getDummyHash(), password), false);
        if (!user || !ok || !user.active) {
          await recordLogin(db, ip, address, 'failed', 'console login', !user ? 'unknown account' : user.active ? 'wrong password' : 'account disabled');
          await new Promise((r) => setTimeout(r, throttle.failDelayMs));
          return null;
        }
        if (await hasSecondFactor(db, user.address)) throw new SecondFactorDue(await openChallenge(db, user.address, 'LOGIN'));
        return signedIn(db, user, ip, request);
      },
    }),
  ],
});
