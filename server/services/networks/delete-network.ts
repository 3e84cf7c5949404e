import type { Db } from '../../../prisma/client';
import { formatCidr, parseCidr } from '../../../mail-engine/policy/match/cidr';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';

export const deleteNetwork = async (db: Db, actor: Actor, cidrOrId: string | number) => {
  assertRole(actor, 'ADMIN');
  let where;
  try {
    where = typeof cidrOrId === 'number' ? { id: cidrOrId } : { cidr: formatCidr(parseCidr(cidrOrId)) };
  } catch (e) {
    throw new AppError('INVALID_INPUT', (e as Error).message);
  }
  const before = await db.trustedNetwork.findUnique({ where });
  if (!before) throw new AppError('NOT_FOUND', `${cidrOrId} is not a trusted network`);
  await commitPolicyChange(db, actor, { action: 'network.delete', entity: 'network', entityId: before.cidr, summary: `stop trusting ${before.cidr}`, before }, (tx) =>
    tx.trustedNetwork.delete({ where: { id: before.id } }),
  );
  return before;
};
