// The console-managed access tables behind check_client_access, check_helo_access,
// check_sender_access and check_recipient_access: one row per key, its action in
// Postfix's access(5) syntax (OK, REJECT [text], DEFER, DUNNO, 4xx/5xx text, …).
// Every change is a policy revision, compiled first, so a bad action is refused.
import type { Db } from '../../../prisma/client';
import { validateAccessAction } from '../../../mail-engine/policy/restrictions/access-maps';
import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

const entrySchema = z.object({
  table: z.string().trim().min(1, 'Name the table').max(64).regex(/^[A-Za-z0-9_.-]+$/, 'Letters, digits, ".", "_" and "-" only'),
  key: z.string().trim().toLowerCase().min(1, 'Enter a key (address, domain, IP or network)').max(320).refine((k) => !/\s/.test(k), 'A key has no spaces'),
  action: z
    .string()
    .trim()
    .min(1, 'Enter an action such as REJECT or OK')
    .max(500)
    .superRefine((a, ctx) => {
      const problem = validateAccessAction(a);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

export const findAccessEntries = async (db: Db, actor: Actor) => {
  assertRole(actor, 'OPERATOR');
  return db.accessEntry.findMany({ orderBy: [{ table: 'asc' }, { key: 'asc' }], take: 5000 });
};

export const setAccessEntry = async (db: Db, actor: Actor, input: unknown) => {
  assertRole(actor, 'ADMIN');
  const e = parseInput(entrySchema, input);
  const before = await db.accessEntry.findUnique({ where: { table_key: { table: e.table, key: e.key } } });
  await commitPolicyChange(db, actor, { action: 'access.set', entity: 'access', entityId: `${e.table}:${e.key}`, summary: `${e.table}: ${e.key} ${e.action}`, before: before ?? undefined, after: e }, (tx) =>
    tx.accessEntry.upsert({ where: { table_key: { table: e.table, key: e.key } }, create: e, update: { action: e.action } }),
  );
  return e;
};

export const deleteAccessEntry = async (db: Db, actor: Actor, id: number) => {
  assertRole(actor, 'ADMIN');
  const before = await db.accessEntry.findUnique({ where: { id } });
  if (!before) throw new AppError('NOT_FOUND', 'No such access table entry');
  await commitPolicyChange(db, actor, { action: 'access.delete', entity: 'access', entityId: `${before.table}:${before.key}`, summary: `${before.table}: remove ${before.key}`, before }, (tx) =>
    tx.accessEntry.delete({ where: { id } }),
  );
  return before;
};
