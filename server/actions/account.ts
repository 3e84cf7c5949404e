'use server';
import 'server-only';
import { revalidatePath } from 'next/cache';
import { changeOwnPassword } from '../services/users/set-user-password';
import { authedAction, str } from './_lib/authed-action';

export const changePasswordAction = authedAction('USER', async ({ actor, db }, form) => {
  await changeOwnPassword(db, actor, { currentPassword: str(form, 'currentPassword'), newPassword: str(form, 'newPassword'), confirm: str(form, 'confirm') });
  revalidatePath('/account');
  return { data: null, message: 'Password changed. Sign in again with the new password; SMTP AUTH uses it already.' };
});
