'use server';
import 'server-only';
import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { clientAddressOf } from '../services/auth/login-throttle';
import { confirmTotp, regenerateRecoveryCodes, removeFactor, resetFactors, startTotp } from '../services/auth/second-factors';
import { register, registrationOptions } from '../services/auth/webauthn';
import { relyingParty } from '../services/auth/relying-party';
import { createAppPassword, revokeAppPassword } from '../services/auth/app-passwords';
import { AppError } from '../errors/app-error';
import { authedAction, str } from './_lib/authed-action';

// Everything here is open to a user who must still set up a second factor (enrolment).
const OPEN = { enrolment: true };
const client = async () => clientAddressOf(await headers());
const id = (form: FormData) => {
  const n = Number(str(form, 'id'));
  if (!Number.isInteger(n) || n <= 0) throw new AppError('INVALID_INPUT', 'Which one?');
  return n;
};

export const startTotpAction = authedAction('USER', async ({ actor, db }) => ({ data: await startTotp(db, actor) }), OPEN);

export const confirmTotpAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    const r = await confirmTotp(db, actor, { id: id(form), code: str(form, 'code'), currentPassword: str(form, 'currentPassword') }, await client());
    revalidatePath('/account');
    return { data: r, message: 'Authenticator app added. Sign-ins now ask for a code.' };
  },
  OPEN,
);

export const webauthnOptionsAction = authedAction('USER', async ({ actor, db }) => ({ data: await registrationOptions(db, actor, relyingParty(await headers())) }), OPEN);

export const registerWebauthnAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    const input = { response: str(form, 'response'), label: str(form, 'label'), currentPassword: str(form, 'currentPassword') };
    const r = await register(db, actor, relyingParty(await headers()), input, await client());
    revalidatePath('/account');
    return { data: r, message: 'Security key added. Sign-ins now ask for it (or a code).' };
  },
  OPEN,
);

export const removeFactorAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    await removeFactor(db, actor, { id: id(form), currentPassword: str(form, 'currentPassword') }, await client());
    revalidatePath('/account');
    return { data: null, message: 'Second factor removed.' };
  },
  OPEN,
);

export const recoveryCodesAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    const codes = await regenerateRecoveryCodes(db, actor, str(form, 'currentPassword'), await client());
    revalidatePath('/account');
    return { data: codes, message: 'New recovery codes made; the old ones no longer work.' };
  },
  OPEN,
);

export const createAppPasswordAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    const r = await createAppPassword(db, actor, { label: str(form, 'label'), currentPassword: str(form, 'currentPassword') }, await client());
    revalidatePath('/account');
    return { data: r, message: `App password "${r.label}" created. Copy it now: it is not shown again.` };
  },
  OPEN,
);

export const revokeAppPasswordAction = authedAction(
  'USER',
  async ({ actor, db }, form) => {
    await revokeAppPassword(db, actor, id(form), await client());
    revalidatePath('/account');
    return { data: null, message: 'App password revoked.' };
  },
  OPEN,
);

/** An admin removes a user's second factors (a lost phone); the user signs in with the password and enrols again. */
export const resetSecondFactorsAction = authedAction('ADMIN', async ({ actor, db }, form) => {
  const n = await resetFactors(db, actor, str(form, 'address'), await client());
  revalidatePath('/users');
  return { data: null, message: `${n} second factor(s) removed.` };
});
