// Queue rows: messages and per-recipient state, leases for multi-node delivery, and the
// operations `postern queue` offers. Leases are taken with a conditional update, so two
// engine nodes never deliver the same recipient at once.
import type { Db } from '../../prisma/client';
import type { SpoolEnvelope } from '../queue/spool';

export type DueRecipient = {
  id: number;
  address: string;
  originalAddress: string;
  attempts: number;
  message: { id: string; sender: string; spoolPath: string; receivedAt: Date; size: number };
};

export const createPrismaQueueStore = (db: Db) => ({
  insertMessage: (env: SpoolEnvelope, spoolPath: string, size: number) =>
    db.message.create({
      data: {
        id: env.queueId,
        sender: env.sender,
        size,
        spoolPath,
        clientAddress: env.clientAddress,
        clientName: env.clientName,
        helo: env.helo,
        saslUser: env.saslUser,
        protocol: env.protocol,
        receivedAt: new Date(env.receivedAt),
        recipients: { create: env.recipients.map((r) => ({ address: r.address, originalAddress: r.original })) },
      },
    }),

  /** After a crash: leases this node held died with it; hand them back at once. */
  releaseLeases: (owner: string) => db.recipient.updateMany({ where: { leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } }),

  hasMessage: async (id: string) => (await db.message.count({ where: { id } })) > 0,

  /** Leases up to `limit` due recipients of active messages for `leaseMs`. */
  leaseDue: async (owner: string, limit: number, leaseMs: number, now = new Date()): Promise<DueRecipient[]> => {
    const candidates = await db.recipient.findMany({
      where: {
        state: { in: ['QUEUED', 'DEFERRED'] },
        nextAttemptAt: { lte: now },
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
        message: { state: 'ACTIVE' },
      },
      orderBy: { nextAttemptAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    const leased: number[] = [];
    const until = new Date(now.getTime() + leaseMs);
    for (const { id } of candidates) {
      const { count } = await db.recipient.updateMany({
        where: { id, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
        data: { leaseOwner: owner, leaseUntil: until },
      });
      if (count === 1) leased.push(id);
    }
    if (!leased.length) return [];
    return db.recipient.findMany({
      where: { id: { in: leased } },
      select: {
        id: true, address: true, originalAddress: true, attempts: true,
        message: { select: { id: true, sender: true, spoolPath: true, receivedAt: true, size: true } },
      },
    });
  },

  markDelivered: (id: number) =>
    db.recipient.update({ where: { id }, data: { state: 'DELIVERED', attempts: { increment: 1 }, leaseOwner: null, leaseUntil: null, finishedAt: new Date(), lastError: '' } }),
  markDeferred: (id: number, error: string, next: Date) =>
    db.recipient.update({ where: { id }, data: { state: 'DEFERRED', attempts: { increment: 1 }, leaseOwner: null, leaseUntil: null, nextAttemptAt: next, lastError: error } }),
  markFailed: (id: number, state: 'BOUNCED' | 'EXPIRED', error: string) =>
    db.recipient.update({ where: { id }, data: { state, attempts: { increment: 1 }, leaseOwner: null, leaseUntil: null, finishedAt: new Date(), lastError: error } }),

  /** Marks the message DONE when no recipient is pending; true when it just finished. */
  finishIfDone: async (messageId: string) => {
    const pending = await db.recipient.count({ where: { messageId, state: { in: ['QUEUED', 'DEFERRED'] } } });
    if (pending) return false;
    const { count } = await db.message.updateMany({ where: { id: messageId, state: { not: 'DONE' } }, data: { state: 'DONE', finishedAt: new Date() } });
    return count === 1;
  },

  list: () =>
    db.message.findMany({
      where: { state: { in: ['ACTIVE', 'HOLD'] } },
      orderBy: { receivedAt: 'asc' },
      include: { recipients: { where: { state: { in: ['QUEUED', 'DEFERRED'] } } } },
      take: 1000,
    }),
  setHold: (id: string, hold: boolean) =>
    db.message.updateMany({ where: { id, state: hold ? 'ACTIVE' : 'HOLD' }, data: { state: hold ? 'HOLD' : 'ACTIVE' } }),
  flush: () =>
    db.recipient.updateMany({ where: { state: { in: ['QUEUED', 'DEFERRED'] } }, data: { nextAttemptAt: new Date(), leaseUntil: null, leaseOwner: null } }),
  remove: async (id: string) => {
    const m = await db.message.findUnique({ where: { id }, select: { spoolPath: true } });
    if (!m) return undefined;
    await db.message.delete({ where: { id } });
    return m.spoolPath;
  },
  userMailbox: (address: string) =>
    db.user.findUnique({ where: { address: address.toLowerCase() }, select: { hasMailbox: true, active: true, quotaBytes: true } }),
});

export type QueueStore = ReturnType<typeof createPrismaQueueStore>;
