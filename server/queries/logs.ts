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
  // The database's substring search treats % and _ as wildcards (SQL LIKE): a search for
  // "100%" or "user_1" would match far more. Such a search is checked again here, literally,
  // reading newest first in pages until `take` rows match (at most 20 pages).
  if (!/[%_\\]/.test(filter.q)) return db.deliveryEvent.findMany({ where, orderBy: { id: 'desc' }, take });
  const q = filter.q;
  const literal = (e: { text: string; recipient: string; sender: string; queueId: string; lookupId: string; helo: string }) =>
    e.text.includes(q) || e.recipient.includes(q.toLowerCase()) || e.sender.includes(q.toLowerCase()) || e.queueId === q.toUpperCase() || e.lookupId === q.toUpperCase() || e.helo.includes(q);
  const found: Awaited<ReturnType<typeof db.deliveryEvent.findMany>> = [];
  let before = filter.before;
  for (let page = 0; page < 20 && found.length < take; page++) {
    const rows = await db.deliveryEvent.findMany({ where: { ...where, ...(before ? { id: { lt: before } } : {}) }, orderBy: { id: 'desc' }, take });
    found.push(...rows.filter(literal));
    if (rows.length < take) break;
    before = rows[rows.length - 1]!.id;
  }
  return found.slice(0, take);
};

/**
 * One message's whole story: every event that carries its queue id (received, each
 * recipient's attempts, bounces, removal), the session's events before it was queued
 * (lookup id: connect-time decisions, rejected recipients), and its queue rows if it is
 * still waiting. A lookup id from a reject reply finds the rejected attempt the same way.
 */
export const getMessageStory = async (id: string) => {
  const db = await getDb();
  const key = id.trim().toUpperCase();
  if (!/^[0-9A-F]{6,20}$/.test(key)) return undefined;
  const own = await db.deliveryEvent.findMany({ where: { OR: [{ queueId: key }, { lookupId: key }] }, orderBy: { id: 'asc' }, take: 1000 });
  const lookupIds = [...new Set(own.map((e) => e.lookupId).filter(Boolean))];
  const session = lookupIds.length ? await db.deliveryEvent.findMany({ where: { lookupId: { in: lookupIds }, id: { notIn: own.map((e) => e.id) } }, orderBy: { id: 'asc' }, take: 1000 }) : [];
  const queued = await db.message.findUnique({ where: { id: key }, omit: { body: true }, include: { recipients: { orderBy: { id: 'asc' } } } });
  const events = [...own, ...session].sort((a, b) => a.id - b.id);
  if (!events.length && !queued) return undefined;
  return { id: key, events, queued };
};

/** Events newer than `afterId` (the live tail), oldest first, at most 200. */
export const tailDeliveryEvents = async (afterId: number) => {
  const db = await getDb();
  return db.deliveryEvent.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: 200 });
};

export const latestEventId = async () => (await (await getDb()).deliveryEvent.aggregate({ _max: { id: true } }))._max.id ?? 0;
