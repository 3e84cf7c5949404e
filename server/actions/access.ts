'use server';
// Server actions for the access tables (check_*_access). Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { deleteAccessEntry, setAccessEntry } from '../services/access/manage-access-entries';
import { authedAction, str } from './_lib/authed-action';

export const setAccessEntryAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const e = await setAccessEntry(db, actor, { table: str(f, 'table'), key: str(f, 'key'), action: str(f, 'action') });
  revalidatePath('/restrictions');
  return { data: null, message: `${e.table}: ${e.key} → ${e.action}` };
});

export const deleteAccessEntryAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const e = await deleteAccessEntry(db, actor, Number(str(f, 'id')));
  revalidatePath('/restrictions');
  return { data: null, message: `Removed ${e.key} from ${e.table}.` };
});
