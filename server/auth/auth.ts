import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDummyHash, verifyPassword } from '../../mail-engine/auth/password-hash';
import { getDb } from '../db';
import { authConfig } from './auth.config';
import { clearLoginFailures, loginBlocked, recordLoginFailure } from './login-throttle';

class ThrottledSignin extends CredentialsSignin {
  code = 'throttled';
}

const credentialsSchema = z.object({ address: z.string().trim().toLowerCase().min(1).max(320), password: z.string().min(1).max(1024) });

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { address: {}, password: {} },
      // The same argon2id hash as SMTP AUTH; one message for every failure (no enumeration).
      authorize: async (raw, request) => {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { address, password } = parsed.data;
        const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'local';
        if (loginBlocked(ip, address)) throw new ThrottledSignin();
        const db = await getDb();
        const user = await db.user.findUnique({ where: { address } });
        const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await getDummyHash(), password), false);
        if (!user || !ok || !user.active) {
          recordLoginFailure(ip, address);
          return null;
        }
        clearLoginFailures(address);
        await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        return { id: String(user.id), address: user.address, role: user.role, sv: user.sessionVersion, email: user.address } as never;
      },
    }),
  ],
});
