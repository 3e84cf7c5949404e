// PostgreSQL: LISTEN for new policy revisions, so other nodes' changes arrive at once. The
// connection comes back by itself after an outage (every 5 s until it does); while it is
// down the revision poll carries the changes. On SQLite there is nothing to listen to.
import pg from 'pg';
import { providerOf } from '../../prisma/client';
import { POLICY_CHANNEL } from '../policy/policy-bus';

export type PolicyListener = { listening(): boolean; close(): Promise<void> };

export const listenForPolicyRevisions = async (databaseUrl: string, onRevision: () => void): Promise<PolicyListener> => {
  if (providerOf(databaseUrl) !== 'postgresql') return { listening: () => false, close: async () => {} };
  let listener: pg.Client | undefined;
  let closing = false;
  let relisten: NodeJS.Timeout | undefined;
  const listen = async () => {
    relisten = undefined;
    const c = new pg.Client({ connectionString: databaseUrl });
    let lost = false;
    const retry = () => {
      if (lost) return;
      lost = true;
      if (listener === c) listener = undefined;
      void c.end().catch(() => {});
      if (!closing && !relisten) relisten = setTimeout(() => void listen(), 5000).unref();
    };
    c.on('notification', onRevision);
    c.on('error', retry);
    c.on('end', retry);
    try {
      await c.connect();
      await c.query(`LISTEN ${POLICY_CHANNEL}`);
      if (closing) return void c.end().catch(() => {});
      listener = c;
      // A revision committed while nobody listened is picked up now.
      onRevision();
    } catch {
      retry();
    }
  };
  await listen();
  return {
    listening: () => listener !== undefined,
    close: async () => {
      closing = true;
      clearTimeout(relisten);
      await listener?.end().catch(() => {});
    },
  };
};
