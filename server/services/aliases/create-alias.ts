import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { createAliasSchema } from '../../schemas/alias';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

/** The path from `from` back to `to` through the alias graph, if there is one (a loop). */
const pathBack = (graph: Map<string, string[]>, from: string, to: string): string[] | undefined => {
  const seen = new Set<string>();
  const walk = (at: string, trail: string[]): string[] | undefined => {
    if (at === to) return trail;
    if (seen.has(at)) return undefined;
    seen.add(at);
    for (const next of graph.get(at) ?? []) {
      const found = walk(next, [...trail, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(from, [from]);
};

export const createAlias = async (db: Db, actor: Actor, input: { address: string; targets: string[] }) => {
  assertRole(actor, 'ADMIN');
  const { address, targets } = parseInput(createAliasSchema, input);
  // An alias must not silently take over a mailbox: Postfix's virtual aliases win over
  // delivery, so alice@ would start going to the targets instead of to alice.
  const mailbox = await db.user.findUnique({ where: { address }, select: { hasMailbox: true, active: true } });
  if (mailbox?.hasMailbox && mailbox.active && !targets.includes(address)) {
    throw new AppError('INVALID_INPUT', `${address} is a mailbox: an alias with that address would send its mail to ${targets.join(', ')} instead. List ${address} among the targets to keep a copy there, or remove the mailbox first.`, {
      address: ['This address is a mailbox'],
    });
  }
  // Nor form a loop (mail would go round until virtual_alias_recursion_limit cuts it).
  const graph = new Map<string, string[]>();
  for (const a of await db.alias.findMany({ where: { active: true }, select: { address: true, target: true } })) graph.set(a.address, [...(graph.get(a.address) ?? []), a.target]);
  for (const target of targets) {
    if (target === address) continue; // "keep a copy here": Postfix delivers to the address itself
    const loop = pathBack(graph, target, address);
    if (loop) {
      throw new AppError('INVALID_INPUT', `${address} → ${loop.join(' → ')} would be a loop: mail would never arrive.`, { targets: [`${target} leads back to ${address}`] });
    }
  }
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
