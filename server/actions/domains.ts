'use server';
// Server actions for accepted domains (mydestination) and relay domains (relay_domains). Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { createDomain } from '../services/domains/create-domain';
import { deleteDomain } from '../services/domains/delete-domain';
import { updateDomain } from '../services/domains/update-domain';
import { authedAction, str } from './_lib/authed-action';

export const createDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await createDomain(db, actor, { name: str(f, 'name'), kind: str(f, 'kind') as 'LOCAL' | 'RELAY', description: str(f, 'description') });
  revalidatePath('/domains');
  return { data: null, message: `Added ${d.name}; it is live on every engine within a second.` };
});

export const updateDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await updateDomain(db, actor, { id: str(f, 'id'), kind: str(f, 'kind') || undefined, description: str(f, 'description') });
  revalidatePath('/domains');
  return { data: null, message: `${d.name} saved.` };
});

export const toggleDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await updateDomain(db, actor, { id: str(f, 'id'), active: str(f, 'active') === 'true' });
  revalidatePath('/domains');
  return { data: null, message: `${d.name} is now ${d.active ? 'enabled' : 'disabled'}.` };
});

export const deleteDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await deleteDomain(db, actor, Number(str(f, 'id')));
  revalidatePath('/domains');
  return { data: null, message: `Deleted ${d.name}.` };
});
