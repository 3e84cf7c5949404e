'use server';
import 'server-only';
import { changeOwnPassword } from '../services/users/set-user-password';
import { authedAction, str } from './_lib/authed-action';

export const changePasswordAction = authedAction('USER', async ({ actor, db }, form) => {
  await changeOwnPassword(db, actor, { currentPassword: str(form, 'currentPassword'), newPassword: str(form, 'newPassword'), confirm: str(form, 'confirm') });
  // No revalidation: this session ended with the old password; the next navigation signs in again.
  return { data: null, message: 'Password changed. Sign in again with the new password; SMTP AUTH uses it already.' };
});
