import type { Db } from '../../../prisma/client';
import { findUsersSchema } from '../../schemas/user';
import { assertRole, type Actor } from '../actor';
import { parseInput } from '../validate';

/** Paginated by address; the search is a prefix match so the unique index serves it. */
export const findUsers = async (db: Db, actor: Actor, input: unknown = {}) => {
  assertRole(actor, 'ADMIN');
  const { q, page, pageSize } = parseInput(findUsersSchema, input);
  const where = q ? { address: { startsWith: q.toLowerCase() } } : {};
  const [total, rows] = await Promise.all([
    db.user.count({ where }),
    db.user.findMany({
      where,
      orderBy: { address: 'asc' },
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { id: true, address: true, role: true, hasMailbox: true, active: true, quotaBytes: true, lastLoginAt: true, createdAt: true },
    }),
  ]);
  return { total, page, pageSize, rows };
};
