// Prisma client factory for the URL's provider: SQLite (better-sqlite3 adapter) by default,
// PostgreSQL (pg adapter) for postgres:// or postgresql:// URLs. Shared by server/ and
// mail-engine/store/; deliberately free of "server-only" so the engine process can load it.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgresql/client';

export type Db = InstanceType<typeof SqliteClient>;
export type DbProvider = 'sqlite' | 'postgresql';
export type { Prisma } from './generated/sqlite/client';

export const providerOf = (url: string): DbProvider => {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(':')[0]}:"`);
};

/** file:relative/path → absolute path; the directory is created so a first start just works. */
export const sqlitePathOf = (url: string): string => {
  if (url === 'file::memory:' || url === ':memory:') return ':memory:';
  const p = path.resolve(url.replace(/^file:/, '').replace(/\?.*$/, ''));
  mkdirSync(path.dirname(p), { recursive: true });
  return p;
};

/**
 * SQLite transactions begin IMMEDIATE. The adapter's connection is the whole client's, so a
 * query from elsewhere in the process (a console page, the engine's revision poll) that runs
 * while a transaction is open runs inside it and pins a read snapshot; once another
 * connection (the engine's writer thread) has committed, the transaction's first write fails
 * at once with SQLITE_BUSY, whatever the busy timeout. Holding the write lock from BEGIN, the
 * transaction never has a stale snapshot, and other writers wait for it (busy timeout).
 */
class ImmediateTransactions extends PrismaBetterSqlite3 {
  override async connect() {
    const adapter = await super.connect();
    const conn = (adapter as unknown as { client: { prepare(sql: string): unknown } }).client;
    const prepare = conn.prepare.bind(conn);
    conn.prepare = (sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql);
    return adapter;
  }
}

export const createAdapterFactory = (url: string, poolSize = Number(process.env.POSTERN_DB_POOL_SIZE ?? 10)) =>
  providerOf(url) === 'sqlite'
    ? // This connection is synchronous: waiting for a lock blocks its thread's event loop. The
      // engine writes through its writer thread (mail-engine/store), so here only the console
      // writes, and behind another process's lock it fails after 1 s instead of freezing
      // every SMTP session of the process for 10.
      new ImmediateTransactions({ url: `file:${sqlitePathOf(url)}`, timeout: 1_000 })
    : new PrismaPg({ connectionString: url, max: poolSize });

const providers = new WeakMap<object, DbProvider>();

/** The provider a client was created for (PostgreSQL-only features such as NOTIFY). */
export const dbProvider = (db: object): DbProvider => providers.get(db) ?? 'sqlite';

export const createPrismaClient = async (url: string): Promise<Db> => {
  const adapter = createAdapterFactory(url);
  if (providerOf(url) === 'postgresql') {
    const pgClient = new PostgresClient({ adapter: adapter as PrismaPg }) as unknown as Db;
    providers.set(pgClient, 'postgresql');
    return pgClient;
  }
  const client = new SqliteClient({ adapter });
  providers.set(client, 'sqlite');
  // WAL lets the console read while the engine writes; NORMAL is durable across process
  // crashes in WAL mode, and the spool itself is fsync'd separately.
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  // The database holds password hashes: readable by the server alone (its -wal and -shm
  // files take the same mode from it).
  const file = sqlitePathOf(url);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (file !== ':memory:' && existsSync(/*turbopackIgnore: true*/ f)) chmodSync(/*turbopackIgnore: true*/ f, 0o600);
  await client.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await client.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return client;
};
