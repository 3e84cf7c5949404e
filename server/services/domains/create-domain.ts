import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { createDomainSchema, type CreateDomainInput } from '../../schemas/domain';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

export const createDomain = async (db: Db, actor: Actor, input: CreateDomainInput) => {
  assertRole(actor, 'ADMIN');
  const data = parseInput(createDomainSchema, input);
  if (await db.domain.findUnique({ where: { name: data.name } })) {
    throw new AppError('ALREADY_EXISTS', `${data.name} is already configured`, { name: ['This domain already exists'] });
  }
  const { result } = await commitPolicyChange(
    db,
    actor,
    { action: 'domain.create', entity: 'domain', entityId: data.name, summary: `add ${data.kind === 'LOCAL' ? 'local' : 'relay'} domain ${data.name}`, after: data },
    (tx) => tx.domain.create({ data }),
  );
  return result;
};
