import type { Db } from '../../../prisma/client';
import { createAliasSchema } from '../../schemas/alias';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

export const createAlias = async (db: Db, actor: Actor, input: { address: string; targets: string[] }) => {
  assertRole(actor, 'ADMIN');
  const { address, targets } = parseInput(createAliasSchema, input);
  await commitPolicyChange(db, actor, { action: 'alias.create', entity: 'alias', entityId: address, summary: `alias ${address} → ${targets.join(', ')}`, after: { address, targets } }, async (tx) => {
    for (const target of targets) {
      await tx.alias.upsert({ where: { address_target: { address, target } }, create: { address, target }, update: { active: true } });
    }
  });
  return { address, targets };
};

export const deleteAlias = async (db: Db, actor: Actor, address: string) => {
  assertRole(actor, 'ADMIN');
  const a = address.trim().toLowerCase();
  await commitPolicyChange(db, actor, { action: 'alias.delete', entity: 'alias', entityId: a, summary: `remove alias ${a}` }, (tx) => tx.alias.deleteMany({ where: { address: a } }));
};

export const findAliases = async (db: Db, actor: Actor) => {
  assertRole(actor, 'OPERATOR');
  return db.alias.findMany({ orderBy: [{ address: 'asc' }, { target: 'asc' }] });
};
