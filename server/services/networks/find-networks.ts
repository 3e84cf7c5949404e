import type { Db } from '../../../prisma/client';
import { assertRole, type Actor } from '../actor';

export const findNetworks = async (db: Db, actor: Actor) => {
  assertRole(actor, 'OPERATOR');
  return db.trustedNetwork.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] });
};
