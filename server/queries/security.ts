import 'server-only';
import { z } from 'zod';
import { getDb } from '../db';
import { SECURITY_KINDS } from '../services/auth/security-events';

const KINDS = SECURITY_KINDS.map(([k]) => k) as [string, ...string[]];

export const securityFilterSchema = z.object({
  kind: z.union([z.enum(KINDS), z.literal('')]).default(''),
  account: z.string().trim().toLowerCase().max(320).default(''),
  client: z.string().trim().max(64).default(''),
  door: z.enum(['', 'console', 'smtp']).default(''),
  from: z.string().trim().max(30).default(''),
  before: z.coerce.number().int().positive().optional(),
});
export type SecurityFilter = z.infer<typeof securityFilterSchema>;

/**
 * Security events, newest first: console and SMTP logins (failed, throttled, slowed,
 * succeeded), forbidden actions, ended sessions, second factors and app passwords.
 */
export const findSecurityEvents = async (f: SecurityFilter, take = 100) => {
  const db = await getDb();
  const from = f.from ? new Date(f.from) : null;
  return db.deliveryEvent.findMany({
    where: {
      event: f.kind ? f.kind : { in: KINDS },
      ...(f.account ? { saslUser: f.account } : {}),
      ...(f.client ? { clientAddress: f.client } : {}),
      ...(f.door === 'console' ? { nodeId: 'console' } : f.door === 'smtp' ? { nodeId: { not: 'console' } } : {}),
      ...(from && !Number.isNaN(from.getTime()) ? { at: { gte: from } } : {}),
      ...(f.before ? { id: { lt: f.before } } : {}),
    },
    orderBy: { id: 'desc' },
    take,
    select: { id: true, at: true, event: true, nodeId: true, clientAddress: true, saslUser: true, text: true },
  });
};
