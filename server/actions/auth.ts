'use server';
import 'server-only';
import { AuthError } from 'next-auth';
import { headers } from 'next/headers';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { signIn, signOut } from '../auth/auth';
import { safeNext } from '../auth/require-role';
import { getDb } from '../db';
import { findChallenge } from '../services/auth/login-challenge';
import { authenticationOptions } from '../services/auth/webauthn';
import { relyingParty } from '../services/auth/relying-party';

export type SecondFactorPrompt = { challenge: string; totp: boolean; webauthn: PublicKeyCredentialRequestOptionsJSON | null };
export type LoginState = { error?: string; secondFactor?: SecondFactorPrompt };

const text = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === 'string' ? v : undefined;
};

/** What the second step offers: a code field when the user has TOTP, a key button for WebAuthn. */
const prompt = async (challenge: string): Promise<SecondFactorPrompt | undefined> => {
  const db = await getDb();
  const c = await findChallenge(db, challenge, 'LOGIN');
  if (!c) return undefined;
  const totp = (await db.secondFactor.count({ where: { userAddress: c.userAddress, kind: 'TOTP', confirmedAt: { not: null } } })) > 0;
  return { challenge, totp, webauthn: await authenticationOptions(db, challenge, relyingParty(await headers())) };
};

export const loginAction = async (_prev: LoginState, form: FormData): Promise<LoginState> => {
  const challenge = text(form, 'challenge');
  const fields = challenge
    ? { challenge, code: text(form, 'code') ?? '', webauthn: text(form, 'webauthn') ?? '' }
    : { address: form.get('address'), password: form.get('password') };
  try {
    await signIn('credentials', { ...fields, redirectTo: safeNext(text(form, 'next')) || '/' });
    return {};
  } catch (e) {
    if (!(e instanceof AuthError)) throw e; // the redirect after a successful sign-in
    const code = (e as { code?: string }).code ?? '';
    if (code === 'throttled') return { error: 'Too many failed attempts. Wait a few minutes and try again.' };
    if (code.startsWith('second-factor:')) return { secondFactor: await prompt(code.slice('second-factor:'.length)) };
    if (code === 'second-factor-wrong' && challenge) {
      const again = await prompt(challenge);
      return again ? { error: 'That code or key was not accepted. Try again.', secondFactor: again } : { error: 'Too many wrong codes. Sign in again.' };
    }
    if (code === 'challenge-gone') return { error: 'That sign-in took too long or had too many wrong codes. Sign in again.' };
    return { error: 'Wrong address or password.' };
  }
};

export const logoutAction = async () => {
  await signOut({ redirectTo: '/login' });
};
