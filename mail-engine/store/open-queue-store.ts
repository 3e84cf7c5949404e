// The queue store for a database URL: on SQLite a writer thread owns the writing connection
// (commits and their fsyncs never stall the SMTP sessions); on PostgreSQL a pool.
import { providerOf } from '../../prisma/client';
import { createDirectStore, type QueueStore } from './queue-store';
import { createSqlDriver } from './sql-driver';
import { createWorkerStore } from './sqlite-writer';

export type { Db } from '../../prisma/client';

export const openQueueStore = async (databaseUrl: string): Promise<QueueStore> =>
  providerOf(databaseUrl) === 'sqlite' ? createWorkerStore(databaseUrl) : createDirectStore(await createSqlDriver(databaseUrl));
