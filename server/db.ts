import 'server-only';
import { createPrismaClient, type Db } from '../prisma/client';
import { env } from './env';

const KEY = Symbol.for('postern.web-db');

/** One Prisma client per process (cached on globalThis so dev reloads reuse it). */
export const getDb = (): Promise<Db> =>
  ((globalThis as Record<symbol, Promise<Db> | undefined>)[KEY] ??= createPrismaClient(env().databaseUrl));
