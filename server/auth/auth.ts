import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDummyHash, verifyPassword } from '../../mail-engine/auth/password-hash';
import { getDb } from '../db';
import { authConfig } from './auth.config';
import { openSession, revokeSession, sessionAlive } from '../services/auth/console-sessions';
import { checkLogin, clientAddressOf, recordLogin, slowLogin } from '../services/auth/login-throttle';

class ThrottledSignin extends CredentialsSignin {
  code = 'throttled';
}

const credentialsSchema = z.object({ address: z.string().trim().toLowerCase().min(1).max(320), password: z.string().min(1).max(1024) });

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
      await revokeSession(await getDb(), (token?.sid as string | undefined) ?? undefined);
    },
  },
  providers: [
    Credentials({
      credentials: { address: {}, password: {} },
      // The same argon2id hash and the same throttle as SMTP AUTH; one message for every
      // failure, known login or not (no enumeration).
      authorize: async (raw, request) => {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { address, password } = parsed.data;
        const ip = clientAddressOf(request.headers);
        const db = await getDb();
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
          await recordLogin(db, ip, address, 'failed');
          await new Promise((r) => setTimeout(r, throttle.failDelayMs));
          return null;
        }
        await recordLogin(db, ip, address, 'succeeded');
        const sid = await openSession(db, user.address, ip, request.headers.get('user-agent') ?? '');
        await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        return { id: String(user.id), address: user.address, role: user.role, sv: user.sessionVersion, sid, email: user.address } as never;
      },
    }),
  ],
});
