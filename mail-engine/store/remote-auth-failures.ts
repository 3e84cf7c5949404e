// What the login throttle (auth/auth-throttle.ts) needs from the database: failed logins
// that other engine nodes and the console logged (auth.failed DeliveryEvents) in the window,
// by client address and by login, and whether this login ever signed in from this client
// (auth.succeeded, from any node or the console). Each count is served by a (column, at) index.
import type { Db } from '../../prisma/client';
import type { RemoteFacts } from '../auth/auth-throttle';

/** How far back a successful login makes its address known for the account. */
const KNOWN_FOR_MS = 180 * 24 * 3600_000;

export const remoteAuthFacts =
  (db: Db, nodeId: string): RemoteFacts =>
  async (client, login, since) => {
    const others = { event: 'auth.failed', nodeId: { not: nodeId }, at: { gte: since } };
    const [byClient, byLogin, known] = await Promise.all([
      db.deliveryEvent.count({ where: { ...others, clientAddress: client } }),
      login ? db.deliveryEvent.count({ where: { ...others, saslUser: login } }) : 0,
      login ? db.deliveryEvent.findFirst({ where: { event: 'auth.succeeded', saslUser: login, clientAddress: client, at: { gte: new Date(Date.now() - KNOWN_FOR_MS) } }, select: { id: true } }) : null,
    ]);
    return { client: byClient, login: byLogin, known: !!known };
  };
