'use server';
import 'server-only';
import { AuthError } from 'next-auth';
import { signIn, signOut } from '../auth/auth';

export type LoginState = { error?: string };

export const loginAction = async (_prev: LoginState, form: FormData): Promise<LoginState> => {
  try {
    await signIn('credentials', { address: form.get('address'), password: form.get('password'), redirectTo: '/' });
    return {};
  } catch (e) {
    if (e instanceof AuthError) {
      const throttled = (e as { code?: string }).code === 'throttled';
      return { error: throttled ? 'Too many failed attempts. Wait a few minutes and try again.' : 'Wrong address or password.' };
    }
    throw e; // the redirect after a successful sign-in
  }
};

export const logoutAction = async () => {
  await signOut({ redirectTo: '/login' });
};
