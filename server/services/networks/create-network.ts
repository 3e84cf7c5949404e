import type { Db } from '../../../prisma/client';
import { formatCidr } from '../../../mail-engine/policy/match/cidr';
import { AppError } from '../../errors/app-error';
import { createNetworkSchema } from '../../schemas/network';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { parseInput } from '../validate';

/** Networks wider than this are refused by the policy compiler as open relays. */
export const isWideNetwork = (family: 4 | 6, prefix: number) => (family === 4 ? prefix < 8 : prefix < 16);

/** Networks this wide (a /8 to a /15, or an IPv6 /16 to /31) are saved only when the admin confirms. */
export const needsConfirmation = (family: 4 | 6, prefix: number) => (family === 4 ? prefix < 16 : prefix < 32);

/** How many addresses a network holds, for the warning ("16,777,216 addresses"). */
export const addressCount = (family: 4 | 6, prefix: number) => (family === 4 ? (2 ** (32 - prefix)).toLocaleString('en') : `2^${128 - prefix}`);

export const createNetwork = async (db: Db, actor: Actor, input: { cidr: string; note?: string; confirmWide?: boolean }) => {
  assertRole(actor, 'ADMIN');
  const { cidr, note } = parseInput(createNetworkSchema, input);
  const canonical = formatCidr(cidr);
  if (!isWideNetwork(cidr.family, cidr.prefix) && needsConfirmation(cidr.family, cidr.prefix) && !input.confirmWide) {
    const warning = `${canonical} trusts ${addressCount(cidr.family, cidr.prefix)} addresses: every client in it may relay without logging in. Confirm to trust it anyway (console: tick "I understand"; CLI: --confirm-wide).`;
    throw new AppError('INVALID_INPUT', warning, { confirmWide: [warning] });
  }
  if (await db.trustedNetwork.findUnique({ where: { cidr: canonical } })) {
    throw new AppError('ALREADY_EXISTS', `${canonical} is already trusted`, { cidr: ['Already in mynetworks'] });
  }
  const position = ((await db.trustedNetwork.aggregate({ _max: { position: true } }))._max.position ?? 0) + 1;
  const { result } = await commitPolicyChange(
    db,
    actor,
    { action: 'network.create', entity: 'network', entityId: canonical, summary: `trust ${canonical}`, after: { cidr: canonical, note } },
    (tx) => tx.trustedNetwork.create({ data: { cidr: canonical, note, position } }),
  );
  return result;
};
