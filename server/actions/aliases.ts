'use server';
// Server actions for aliases (virtual_alias_maps). Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { createAlias, deleteAlias } from '../services/aliases/create-alias';
import { authedAction, str } from './_lib/authed-action';

export const createAliasAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const targets = str(f, 'targets').split(/[\s,]+/).filter(Boolean);
  await createAlias(db, actor, { address: str(f, 'address'), targets });
  revalidatePath('/users');
  return { data: null, message: `${str(f, 'address')} → ${targets.join(', ')}` };
});

export const deleteAliasAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  await deleteAlias(db, actor, str(f, 'address'));
  revalidatePath('/users');
  return { data: null, message: `Removed alias ${str(f, 'address')}.` };
});
