import type { Db } from '../../../prisma/client';
import { hashPassword } from '../../../mail-engine/auth/password-hash';
import { AppError } from '../../errors/app-error';
import { createUserSchema, type CreateUserInput } from '../../schemas/user';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

export const createUser = async (db: Db, actor: Actor, input: CreateUserInput) => {
  assertRole(actor, 'ADMIN');
  const data = parseInput(createUserSchema, input);
  if (await db.user.findUnique({ where: { address: data.address } })) {
    throw new AppError('ALREADY_EXISTS', `${data.address} already exists`, { address: ['This user already exists'] });
  }
  const passwordHash = await hashPassword(data.password);
  const { result } = await commitPolicyChange(
    db,
    actor,
    { action: 'user.create', entity: 'user', entityId: data.address, summary: `add user ${data.address}`, after: { address: data.address, role: data.role, hasMailbox: data.hasMailbox, quotaMb: data.quotaMb } },
    (tx) =>
      tx.user.create({
        data: { address: data.address, passwordHash, role: data.role, hasMailbox: data.hasMailbox, quotaBytes: BigInt(data.quotaMb) * 1024n * 1024n, displayName: data.displayName },
        select: { id: true, address: true, role: true, hasMailbox: true, active: true },
      }),
  );
  return result;
};
