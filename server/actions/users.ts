'use server';
// Server actions for users: mailboxes, console roles, passwords. Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { clientAddressOf } from '../services/auth/login-throttle';
import { createUser } from '../services/users/create-user';
import { deleteUser } from '../services/users/delete-user';
import { resetUserPassword } from '../services/users/set-user-password';
import { updateUser } from '../services/users/update-user';
import { endSessions } from '../services/auth/console-sessions';
import { authedAction, str } from './_lib/authed-action';

export const createUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const u = await createUser(db, actor, {
    address: str(f, 'address'),
    password: str(f, 'password'),
    role: str(f, 'role') as 'ADMIN' | 'OPERATOR' | 'USER',
    hasMailbox: f.get('hasMailbox') === 'on',
    quotaMb: Number(str(f, 'quotaMb') || 0),
  });
  revalidatePath('/users');
  return { data: null, message: `Created ${u.address}.` };
});

export const updateUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const address = str(f, 'address');
  await updateUser(db, actor, {
    address,
    ...(f.has('role') ? { role: str(f, 'role') } : {}),
    ...(f.has('quotaMb') ? { quotaMb: str(f, 'quotaMb') } : {}),
    ...(f.has('mailboxSent') ? { hasMailbox: f.get('hasMailbox') === 'on' } : {}),
    ...(f.has('active') ? { active: str(f, 'active') === 'true' } : {}),
  });
  revalidatePath('/users');
  return { data: null, message: `${address} saved.` };
});

export const deleteUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const u = await deleteUser(db, actor, str(f, 'address'));
  revalidatePath('/users');
  return { data: null, message: `Deleted ${u.address}.` };
});

export const resetPasswordAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  await resetUserPassword(db, actor, str(f, 'address'), str(f, 'password'));
  return { data: null, message: `Password of ${str(f, 'address')} reset; their sessions ended.` };
});

export const endSessionsAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const n = await endSessions(db, actor, { userAddress: str(f, 'address') }, clientAddressOf(await headers()));
  revalidatePath('/users');
  return { data: null, message: `Ended ${n} console session${n === 1 ? '' : 's'} of ${str(f, 'address')}.` };
});
