// Changes to an account other than its password: role, mailbox, quota, display name, and
// disabling (a disabled user can neither sign in to the console nor log in over SMTP, and
// no longer receives mail). The last active admin cannot be demoted or disabled.
import { z } from 'zod';
import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { emailAddressSchema, roleSchema } from '../../schemas/common';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';
import { revokeUserSessions } from '../auth/console-sessions';

const updateUserSchema = z.object({
  address: emailAddressSchema,
  role: roleSchema.optional(),
  hasMailbox: z.boolean().optional(),
  active: z.boolean().optional(),
  quotaMb: z.coerce.number().int().min(0).max(10_000_000).optional(),
  displayName: z.string().trim().max(100).optional(),
});

export const updateUser = async (db: Db, actor: Actor, input: unknown) => {
  assertRole(actor, 'ADMIN');
  const { address, quotaMb, ...rest } = parseInput(updateUserSchema, input);
  const before = await db.user.findUnique({ where: { address }, select: { address: true, role: true, hasMailbox: true, active: true, quotaBytes: true, displayName: true } });
  if (!before) throw new AppError('NOT_FOUND', `No user ${address}`);
  const losesAdmin = before.role === 'ADMIN' && before.active && ((rest.role && rest.role !== 'ADMIN') || rest.active === false);
  if (losesAdmin && (await db.user.count({ where: { role: 'ADMIN', active: true } })) <= 1) {
    throw new AppError('INVALID_INPUT', 'This is the last active admin: make another admin first', { role: ['The last active admin must stay an admin'] });
  }
  const data = { ...rest, ...(quotaMb !== undefined ? { quotaBytes: BigInt(quotaMb) * 1024n * 1024n } : {}), ...(rest.active === false ? { sessionVersion: { increment: 1 } } : {}) };
  const what = Object.keys(rest).concat(quotaMb !== undefined ? ['quota'] : []).join(', ');
  await commitPolicyChange(
    db,
    actor,
    { action: 'user.update', entity: 'user', entityId: address, summary: `update ${address} (${what || 'nothing'})`, before: { ...before, quotaBytes: String(before.quotaBytes) }, after: { ...rest, quotaMb } },
    async (tx) => {
      await tx.user.update({ where: { address }, data });
      // A role change or disabling ends the user's console sessions.
      if ((rest.role && rest.role !== before.role) || rest.active === false) await revokeUserSessions(tx, address);
    },
  );
};
