import 'server-only';
import { getDb } from '../db';

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
