import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { updateDomainSchema } from '../../schemas/domain';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

export const updateDomain = async (db: Db, actor: Actor, input: unknown) => {
  assertRole(actor, 'ADMIN');
  const { id, ...data } = parseInput(updateDomainSchema, input);
  const before = await db.domain.findUnique({ where: { id } });
  if (!before) throw new AppError('NOT_FOUND', 'No such domain');
  const { result } = await commitPolicyChange(
    db,
    actor,
    { action: 'domain.update', entity: 'domain', entityId: before.name, summary: `update domain ${before.name}`, before, after: data },
    (tx) => tx.domain.update({ where: { id }, data }),
  );
  return result;
};
