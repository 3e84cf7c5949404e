'use server';
import 'server-only';
import { headers } from 'next/headers';
import { clientAddressOf } from '../services/auth/login-throttle';
import { changeOwnPassword } from '../services/users/set-user-password';
import { authedAction, str } from './_lib/authed-action';

export const changePasswordAction = authedAction('USER', async ({ actor, db }, form) => {
  const client = clientAddressOf(await headers());
  await changeOwnPassword(db, actor, { currentPassword: str(form, 'currentPassword'), newPassword: str(form, 'newPassword'), confirm: str(form, 'confirm') }, client);
  // No revalidation: this session ended with the old password; the next navigation signs in again.
  return { data: null, message: 'Password changed. Sign in again with the new password; SMTP AUTH uses it already.' };
});
