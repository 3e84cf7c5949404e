import type { NextAuthConfig } from 'next-auth';

/** Edge-safe part of the auth configuration: pages, session and cookie policy. */
export const authConfig = {
  pages: { signIn: '/login' },
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  trustHost: true,
  providers: [],
  callbacks: {
    jwt: ({ token, user }) => {
      if (user) {
        const u = user as { address: string; role: string; sv: number };
        token.address = u.address;
        token.role = u.role;
        token.sv = u.sv;
      }
      return token;
    },
    session: ({ session, token }) => {
      Object.assign(session.user ?? {}, { address: token.address, role: token.role, sv: token.sv });
      return session;
    },
  },
} satisfies NextAuthConfig;
