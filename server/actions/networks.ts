'use server';
// Server actions for trusted networks (mynetworks). Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { createNetwork } from '../services/networks/create-network';
import { deleteNetwork } from '../services/networks/delete-network';
import { authedAction, str } from './_lib/authed-action';

export const createNetworkAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const n = await createNetwork(db, actor, { cidr: str(f, 'cidr'), note: str(f, 'note'), confirmWide: f.get('confirmWide') === 'on' });
  revalidatePath('/networks');
  return { data: null, message: `Now trusting ${n.cidr}.` };
});

export const deleteNetworkAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const n = await deleteNetwork(db, actor, Number(str(f, 'id')));
  revalidatePath('/networks');
  return { data: null, message: `No longer trusting ${n.cidr}.` };
});
