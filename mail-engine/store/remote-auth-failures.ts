// What the login throttle (auth/auth-throttle.ts) needs from the database: failed logins
// logged as auth.failed DeliveryEvents in the window, by client address and by login, and
// whether this login ever signed in from this client (auth.succeeded, from any node or the
// console). Each count is served by a (column, at) index. An engine counts the other nodes'
// failures (its own are in memory); the console counts everyone's.
import type { Db } from '../../prisma/client';
import type { RemoteFacts } from '../auth/auth-throttle';

/** How far back a successful login makes its address known for the account. */
const KNOWN_FOR_MS = 180 * 24 * 3600_000;

export const authFacts = async (db: Db, client: string, login: string, since: Date, exceptNode?: string) => {
  const failed = { event: 'auth.failed', at: { gte: since }, ...(exceptNode ? { nodeId: { not: exceptNode } } : {}) };
  const [byClient, byLogin, known] = await Promise.all([
    db.deliveryEvent.count({ where: { ...failed, clientAddress: client } }),
    login ? db.deliveryEvent.count({ where: { ...failed, saslUser: login } }) : 0,
    login ? db.deliveryEvent.findFirst({ where: { event: 'auth.succeeded', saslUser: login, clientAddress: client, at: { gte: new Date(Date.now() - KNOWN_FOR_MS) } }, select: { id: true } }) : null,
  ]);
  return { client: byClient, login: byLogin, known: !!known };
};

/** An engine node's view: the failures the other nodes and the console logged. */
export const remoteAuthFacts =
  (db: Db, nodeId: string): RemoteFacts =>
  (client, login, since) =>
    authFacts(db, client, login, since, nodeId);
