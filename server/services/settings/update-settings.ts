// Sets or clears main.cf parameters. Values are validated by the policy compiler inside the
// commit (types, $references, restriction names, the open-relay guard), so a bad value is
// refused with the compiler's message and nothing is stored.
import type { Db } from '../../../prisma/client';
import { PARAMETER_TABLE } from '../../../mail-engine/policy/parameters';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';

export const updateSettings = async (db: Db, actor: Actor, changes: Record<string, string | null>) => {
  assertRole(actor, 'ADMIN');
  const fieldErrors: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(changes)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) fieldErrors[name] = ['Not a parameter name'];
    else if (value !== null && /[\r\n]/.test(value)) fieldErrors[name] = ['A value must fit on one line'];
    else if (value !== null && value.length > 10_000) fieldErrors[name] = ['Too long'];
  }
  if (Object.keys(fieldErrors).length) throw new AppError('INVALID_INPUT', 'Some values are invalid', fieldErrors);
  const before = Object.fromEntries((await db.setting.findMany({ where: { name: { in: Object.keys(changes) } } })).map((s) => [s.name, s.value]));
  const names = Object.keys(changes);
  const summary = names.length === 1 ? `set ${names[0]}` : `set ${names.length} parameters (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})`;
  await commitPolicyChange(db, actor, { action: 'settings.update', entity: 'settings', summary, before, after: changes }, async (tx) => {
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) await tx.setting.deleteMany({ where: { name } });
      else await tx.setting.upsert({ where: { name }, create: { name, value: value.trim() }, update: { value: value.trim() } });
    }
  });
  return { changed: names, unknown: names.filter((n) => !PARAMETER_TABLE.has(n)) };
};
