import 'server-only';
import { dbProvider } from '../../prisma/client';
import { getDb } from '../db';

export type HourBucket = { hour: string; accepted: number; rejected: number; delivered: number; deferred: number; bounced: number };

const SERIES: Record<string, keyof Omit<HourBucket, 'hour'>> = {
  'message.accepted': 'accepted',
  'smtp.rejected': 'rejected',
  'delivery.sent': 'delivered',
  'delivery.deferred': 'deferred',
  'delivery.bounced': 'bounced',
  'delivery.expired': 'bounced',
};

/** Traffic per hour over the last 24 hours, one grouped query on the (event, at) index. */
export const getHourlyTraffic = async (now = new Date()): Promise<HourBucket[]> => {
  const db = await getDb();
  const start = new Date(now);
  start.setUTCMinutes(0, 0, 0);
  start.setUTCHours(start.getUTCHours() - 23);
  const events = Object.keys(SERIES);
  const marks = events.map((_, i) => `$${i + 2}`).join(', ');
  const rows =
    dbProvider(db) === 'postgresql'
      ? await db.$queryRawUnsafe<{ hour: Date | string; event: string; n: bigint | number }[]>(
          `SELECT date_trunc('hour', "at") AS hour, "event", COUNT(*) AS n FROM "DeliveryEvent" WHERE "at" >= $1 AND "event" IN (${marks}) GROUP BY 1, 2`,
          start,
          ...events,
        )
      : await db.$queryRawUnsafe<{ hour: string; event: string; n: bigint | number }[]>(
          `SELECT substr("at", 1, 13) AS hour, "event", COUNT(*) AS n FROM "DeliveryEvent" WHERE "at" >= ? AND "event" IN (${events.map(() => '?').join(', ')}) GROUP BY 1, 2`,
          start.toISOString().replace('Z', '+00:00'),
          ...events,
        );
  const buckets: HourBucket[] = Array.from({ length: 24 }, (_, i) => {
    const h = new Date(start.getTime() + i * 3_600_000);
    return { hour: h.toISOString().slice(0, 13), accepted: 0, rejected: 0, delivered: 0, deferred: 0, bounced: 0 };
  });
  const index = new Map(buckets.map((b) => [b.hour, b]));
  for (const r of rows) {
    const key = (r.hour instanceof Date ? r.hour.toISOString() : String(r.hour).replace(' ', 'T')).slice(0, 13);
    const b = index.get(key);
    const series = SERIES[r.event];
    if (b && series) b[series] += Number(r.n);
  }
  return buckets;
};

export type NodeStatus = {
  id: string;
  hostname: string;
  heartbeatAt: Date;
  appliedRevision: number;
  alive: boolean;
  live: boolean;
  tls: string;
  listeners: { service: string; address: string; port: number; up: boolean; error?: string }[];
};

const startOfToday = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d;
};

export const getDashboard = async () => {
  const db = await getDb();
  const since = startOfToday();
  const [latest, nodes, grouped, problems] = await Promise.all([
    db.policyRevision.findFirst({ orderBy: { id: 'desc' }, select: { id: true, summary: true, actor: true, createdAt: true } }),
    db.engineNode.findMany({ orderBy: { id: 'asc' } }),
    db.deliveryEvent.groupBy({ by: ['event'], where: { at: { gte: since } }, _count: { _all: true } }),
    db.deliveryEvent.findMany({
      where: { event: { in: ['delivery.deferred', 'delivery.bounced', 'policy.reload_failed', 'listener.failed', 'auth.throttled'] } },
      orderBy: { id: 'desc' },
      take: 8,
      select: { id: true, at: true, event: true, queueId: true, recipient: true, text: true },
    }),
  ]);
  const count = (e: string) => grouped.find((g) => g.event === e)?._count._all ?? 0;
  const now = Date.now();
  const nodeStatus: NodeStatus[] = nodes.map((n) => ({
    id: n.id,
    hostname: n.hostname,
    heartbeatAt: n.heartbeatAt,
    appliedRevision: n.appliedRevision,
    alive: now - n.heartbeatAt.getTime() < 30_000,
    live: n.appliedRevision === (latest?.id ?? 0),
    tls: n.tls,
    listeners: JSON.parse(n.listeners || '[]') as NodeStatus['listeners'],
  }));
  return {
    latest,
    nodes: nodeStatus,
    today: {
      accepted: count('message.accepted'),
      rejected: count('smtp.rejected'),
      delivered: count('delivery.sent'),
      deferred: count('delivery.deferred'),
      bounced: count('delivery.bounced') + count('delivery.expired'),
      authFailed: count('auth.failed'),
    },
    problems,
  };
};
