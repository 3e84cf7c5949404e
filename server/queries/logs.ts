import 'server-only';
import { z } from 'zod';
import { getDb } from '../db';

export const logFilterSchema = z.object({
  q: z.string().trim().max(200).default(''),
  recipient: z.string().trim().toLowerCase().max(320).default(''),
  sender: z.string().trim().toLowerCase().max(320).default(''),
  client: z.string().trim().max(64).default(''),
  queueId: z.string().trim().toUpperCase().max(32).default(''),
  lookupId: z.string().trim().toUpperCase().max(32).default(''),
  saslUser: z.string().trim().toLowerCase().max(320).default(''),
  event: z.string().trim().max(64).default(''),
  status: z.string().trim().max(32).default(''),
  from: z.string().trim().max(30).default(''),
  to: z.string().trim().max(30).default(''),
  before: z.coerce.number().int().positive().optional(),
});
export type LogFilter = z.infer<typeof logFilterSchema>;

/** Newest first, keyset-paginated on id, every filter an indexed equality or range. */
export const findDeliveryEvents = async (filter: LogFilter, take = 100) => {
  const db = await getDb();
  const at: { gte?: Date; lte?: Date } = {};
  if (filter.from && !Number.isNaN(Date.parse(filter.from))) at.gte = new Date(filter.from);
  if (filter.to && !Number.isNaN(Date.parse(filter.to))) at.lte = new Date(filter.to);
  const where = {
    ...(filter.recipient ? { recipient: filter.recipient } : {}),
    ...(filter.sender ? { sender: filter.sender } : {}),
    ...(filter.client ? { clientAddress: filter.client } : {}),
    ...(filter.queueId ? { queueId: filter.queueId } : {}),
    ...(filter.lookupId ? { lookupId: filter.lookupId } : {}),
    ...(filter.saslUser ? { saslUser: filter.saslUser } : {}),
    ...(filter.event ? { event: filter.event } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(at.gte || at.lte ? { at } : {}),
    ...(filter.before ? { id: { lt: filter.before } } : {}),
    ...(filter.q
      ? { OR: [{ text: { contains: filter.q } }, { recipient: { contains: filter.q.toLowerCase() } }, { sender: { contains: filter.q.toLowerCase() } }, { queueId: filter.q.toUpperCase() }, { lookupId: filter.q.toUpperCase() }, { helo: { contains: filter.q } }] }
      : {}),
  };
  return db.deliveryEvent.findMany({ where, orderBy: { id: 'desc' }, take });
};
