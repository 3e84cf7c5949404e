import type { Db } from '../../../prisma/client';
import { assertRole, type Actor } from '../actor';

export const findDomains = async (db: Db, actor: Actor, o: { kind?: 'LOCAL' | 'RELAY' } = {}) => {
  assertRole(actor, 'OPERATOR');
  return db.domain.findMany({ where: o.kind ? { kind: o.kind } : {}, orderBy: { name: 'asc' } });
};
