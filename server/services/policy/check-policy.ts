// The policy tester behind `postern check` and the console: compiles the live rows and
// runs the same stage checks the engine runs, returning the decision with its trace.
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { checkRecipient } from '../../../mail-engine/policy/check-stage';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { parseIp } from '../../../mail-engine/policy/match/ip';
import { renderMainCf } from '../../../mail-engine/policy/main-cf-io';
import type { Decision } from '../../../mail-engine/policy/types';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';

export type CheckInput = { client: string; helo?: string; saslUser?: string; from: string; rcpt: string };

export const checkPolicy = async (db: Db, actor: Actor, input: CheckInput): Promise<Decision & { revision: number }> => {
  assertRole(actor, 'OPERATOR');
  if (!parseIp(input.client)) throw new AppError('INVALID_INPUT', `"${input.client}" is not an IP address`, { client: ['Enter an IPv4 or IPv6 address'] });
  if (!input.rcpt.trim()) throw new AppError('INVALID_INPUT', 'Enter a recipient', { rcpt: ['Enter a recipient'] });
  const rows = await loadPolicyRows(db);
  const compiled = compilePolicy(rows);
  if (!compiled.ok) throw new AppError('POLICY_INVALID', compiled.errors.map((e) => `${e.parameter}: ${e.message}`).join('\n'));
  const d = checkRecipient(compiled.policy, {
    clientAddress: input.client.trim(),
    clientName: 'unknown',
    helo: input.helo?.trim() || undefined,
    saslUser: input.saslUser?.trim().toLowerCase() || undefined,
    sender: input.from.trim(),
    recipient: input.rcpt.trim(),
  });
  return { ...d, revision: rows.revision };
};

export const exportMainCf = async (db: Db, actor: Actor) => {
  assertRole(actor, 'OPERATOR');
  const rows = await loadPolicyRows(db);
  return renderMainCf(rows, `Postern policy revision ${rows.revision}, exported ${new Date().toISOString()}`);
};
