// Queue management for the console and `postern queue` (Postfix's mailq and postsuper):
// list, show, hold, release, retry (one or all) and delete, over the rows the engine's
// queue writes. Reading is for operators; changing the queue is for admins. Every change
// leaves an audit entry. Engines pick released and retried recipients up at their next
// scan (within a second).
import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';

const PENDING = ['QUEUED', 'DEFERRED'];
const QUEUE_ID = /^[0-9A-F]{6,20}$/;

const checkId = (id: string) => {
  const v = id.trim().toUpperCase();
  if (!QUEUE_ID.test(v)) throw new AppError('INVALID_INPUT', `"${id}" is not a queue id`, { id: ['A queue id is 6 to 20 hexadecimal characters'] });
  return v;
};

const audit = (db: Db, actor: Actor, action: string, entityId: string, after = '') =>
  db.auditEntry.create({ data: { actor: actor.address, action, entity: 'queue', entityId, after } });

/** Messages waiting (active or on hold), oldest first, with their pending recipients; never the bodies. */
export const listQueue = async (db: Db, actor: Actor, o: { take?: number } = {}) => {
  assertRole(actor, 'OPERATOR');
  const [total, messages] = await Promise.all([
    db.message.count(),
    db.message.findMany({
      orderBy: { receivedAt: 'asc' },
      take: o.take ?? 500,
      omit: { body: true },
      include: { recipients: { where: { state: { in: PENDING } }, orderBy: { id: 'asc' } } },
    }),
  ]);
  return { total, messages };
};

/** The queued message as received (Received: header included); a large one with its parts, read one at a time. */
export const showQueuedMessage = async (db: Db, actor: Actor, id: string) => {
  assertRole(actor, 'ADMIN');
  const m = await db.message.findUnique({ where: { id: checkId(id) }, select: { body: true, bodyParts: true } });
  if (!m) throw new AppError('NOT_FOUND', `no message ${id} in the queue`);
  const pieces = [Buffer.from(m.body ?? new Uint8Array())];
  for (let seq = 0; seq < m.bodyParts; seq++) {
    const part = await db.messagePart.findUnique({ where: { messageId_seq: { messageId: checkId(id), seq } }, select: { data: true } });
    if (!part) throw new AppError('NOT_FOUND', `message ${id} left the queue while it was read`);
    pieces.push(Buffer.from(part.data));
  }
  return Buffer.concat(pieces);
};

export const holdMessage = async (db: Db, actor: Actor, id: string) => {
  assertRole(actor, 'ADMIN');
  const qid = checkId(id);
  const r = await db.message.updateMany({ where: { id: qid, state: 'ACTIVE' }, data: { state: 'HOLD' } });
  if (!r.count) throw new AppError('NOT_FOUND', `no active message ${qid} in the queue`);
  await audit(db, actor, 'queue.hold', qid);
};

export const releaseMessage = async (db: Db, actor: Actor, id: string) => {
  assertRole(actor, 'ADMIN');
  const qid = checkId(id);
  const r = await db.message.updateMany({ where: { id: qid, state: 'HOLD' }, data: { state: 'ACTIVE' } });
  if (!r.count) throw new AppError('NOT_FOUND', `no held message ${qid} in the queue`);
  await db.recipient.updateMany({ where: { messageId: qid, state: { in: PENDING } }, data: { nextAttemptAt: new Date() } });
  await audit(db, actor, 'queue.release', qid);
};

/** Retry now: one message, or every pending recipient (postqueue -f). Returns how many. */
export const retryQueue = async (db: Db, actor: Actor, id?: string) => {
  assertRole(actor, 'ADMIN');
  const qid = id ? checkId(id) : undefined;
  const r = await db.recipient.updateMany({
    where: { state: { in: PENDING }, ...(qid ? { messageId: qid } : {}), OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] },
    data: { nextAttemptAt: new Date() },
  });
  if (qid && !r.count) throw new AppError('NOT_FOUND', `no pending recipient of ${qid} (it may be being delivered right now)`);
  await audit(db, actor, qid ? 'queue.retry' : 'queue.flush', qid ?? '*', String(r.count));
  return r.count;
};

/** Removes a message without delivering it (postsuper -d). */
export const deleteQueuedMessage = async (db: Db, actor: Actor, id: string) => {
  assertRole(actor, 'ADMIN');
  const qid = checkId(id);
  const r = await db.message.deleteMany({ where: { id: qid } });
  if (!r.count) throw new AppError('NOT_FOUND', `no message ${qid} in the queue`);
  await audit(db, actor, 'queue.delete', qid);
};
