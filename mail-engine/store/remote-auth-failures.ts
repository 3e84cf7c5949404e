// Failed SMTP AUTH attempts that other engine nodes logged (auth.failed DeliveryEvents),
// for the login throttle (auth/auth-throttle.ts). Two counts over the window, by client
// address and by login, each served by its (column, at) index.
import type { Db } from '../../prisma/client';
import type { RemoteFailures } from '../auth/auth-throttle';

export const remoteAuthFailures =
  (db: Db, nodeId: string): RemoteFailures =>
  async (client, login, since) => {
    const others = { event: 'auth.failed', nodeId: { not: nodeId }, at: { gte: since } };
    const [byClient, byLogin] = await Promise.all([
      db.deliveryEvent.count({ where: { ...others, clientAddress: client } }),
      login ? db.deliveryEvent.count({ where: { ...others, saslUser: login } }) : 0,
    ]);
    return { client: byClient, login: byLogin };
  };
