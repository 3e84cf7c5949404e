// The engine's hot-path database port: plain SQL with prepared statements over the same
// tables Prisma manages, for the queue and the delivery log, where Prisma's per-query cost
// (about a third of the CPU at 190 msg/s when every message went through it) would cap
// throughput. Policy, credentials and everything the console does stay on Prisma.
//
// A unit of work is a generator that yields statements and receives their results
// (`const r = yield* run(sql, params)`). One piece of store code thus runs on both
// databases: on SQLite the driver feeds it synchronously, so a transaction begins and
// commits within one tick and nothing else in the process — Prisma's connection in
// particular — can run while it holds the write lock (an await inside a SQLite
// transaction would let Prisma hit the lock and spin in its busy handler with the event
// loop blocked); on PostgreSQL each statement is awaited on a pooled connection.
//
// SQL: "?" placeholders (numbered for PostgreSQL), quoted identifiers, RETURNING only
// where PostgreSQL needs it. Dates are written as Prisma writes them (ISO text on SQLite,
// timestamp(3) in UTC on PostgreSQL) so the console reads the same rows either way.
//
// SQLite: a connection of its own in WAL mode with synchronous = FULL, so a commit is on
// disk when it returns (that is what lets the SMTP layer answer 250). It never waits for a
// lock inside the event loop (busy_timeout = 0): a busy database (the console's
// transaction, a CLI in another process) is retried a few milliseconds later.
import { providerOf, sqlitePathOf, type DbProvider } from '../../prisma/client';

export type SqlValue = string | number | bigint | Buffer | Uint8Array | null | Date;
export type Row = Record<string, unknown>;
export type RunResult = { changes: number; lastId?: number };

export type Stmt = { kind: 'run' | 'all'; sql: string; params: SqlValue[] };
export type Work<T> = Generator<Stmt, T, unknown>;

/** A statement inside a unit of work; its result comes back from `yield*`. */
export function* run(sql: string, params: SqlValue[] = []): Generator<Stmt, RunResult, unknown> {
  return (yield { kind: 'run', sql, params }) as RunResult;
}

export function* all<T = Row>(sql: string, params: SqlValue[] = []): Generator<Stmt, T[], unknown> {
  return (yield { kind: 'all', sql, params }) as T[];
}

export type SqlDriver = {
  readonly dialect: DbProvider;
  /**
   * Runs a unit of work in one transaction. With `durable` (the default) it resolves after
   * the commit is on disk; without, the commit survives a crash of the process but may be
   * lost with the machine (SQLite: no fsync of its own; the next durable commit carries it).
   * Delivery outcomes and log rows use that: losing one costs a duplicate delivery, never
   * a message. The factory may be called again on a retry.
   */
  transaction<T>(work: () => Work<T>, o?: { durable?: boolean }): Promise<T>;
  /** A single statement outside any explicit transaction. */
  all<T = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  run(sql: string, params?: SqlValue[]): Promise<RunResult>;
  close(): Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The text Prisma's SQLite adapter stores for a DateTime: 2026-11-26T08:34:44.075+00:00. */
export const sqliteDate = (d: Date) => d.toISOString().replace('Z', '+00:00');

export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** Another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED and their extended codes): worth a retry. */
export const isSqliteBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)(_|$)/.test((e as { code?: string }).code ?? '');

/**
 * A SQLite connection that drives units of work synchronously. WAL mode; each transaction
 * chooses its durability (synchronous = FULL fsyncs the WAL at commit, NORMAL leaves that
 * to the next FULL commit or checkpoint). Used on the calling thread (createSqlDriver) and
 * inside the engine's writer thread (sqlite-writer-thread.ts).
 */
export const openSqlite = async (file: string, busyTimeoutMs: number) => {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  const statements = new Map<string, import('better-sqlite3').Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const bind = (params: SqlValue[]) => params.map((p) => (p instanceof Date ? sqliteDate(p) : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
  const execute = (s: Stmt): unknown => {
    const st = prepare(s.sql);
    if (s.kind === 'all') return st.all(...bind(s.params));
    const r = st.run(...bind(s.params));
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) } satisfies RunResult;
  };
  let mode: 'FULL' | 'NORMAL' = 'FULL';
  return {
    db,
    execute,
    /** Drives a unit of work to completion, synchronously, inside the caller's transaction. */
    drive: <T>(work: () => Work<T>): T => {
      const g = work();
      let step = g.next();
      while (!step.done) step = g.next(execute(step.value));
      return step.value;
    },
    durability: (durable: boolean) => {
      const wanted = durable ? 'FULL' : 'NORMAL';
      if (mode !== wanted) db.pragma(`synchronous = ${(mode = wanted)}`);
    },
  };
};

const createSqliteDriver = async (url: string): Promise<SqlDriver> => {
  // Never wait for a lock inside the event loop: a busy database is retried asynchronously.
  const c = await openSqlite(sqlitePathOf(url), 0);
  const retrying = async <T>(fn: () => T): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (e) {
        if (!isSqliteBusy(e) || attempt >= 3000) throw e;
        await sleep(Math.min(1 + attempt, 20));
      }
    }
  };
  return {
    dialect: 'sqlite',
    transaction: (work, o) =>
      retrying(() => {
        c.durability(o?.durable !== false);
        c.db.exec('BEGIN IMMEDIATE');
        try {
          const out = c.drive(work);
          c.db.exec('COMMIT');
          return out;
        } catch (e) {
          if (c.db.inTransaction) c.db.exec('ROLLBACK');
          throw e;
        }
      }),
    all: <T>(sql: string, params: SqlValue[] = []) => retrying(() => c.execute({ kind: 'all', sql, params }) as T[]),
    run: (sql, params = []) =>
      retrying(() => {
        c.durability(true);
        return c.execute({ kind: 'run', sql, params }) as RunResult;
      }),
    close: async () => {
      c.db.close();
    },
  };
};

const createPgDriver = async (url: string, poolSize: number): Promise<SqlDriver> => {
  const pg = (await import('pg')).default;
  // timestamp(3) columns hold UTC (Prisma's convention): read them as UTC whatever TZ says.
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === 1114 ? (v: string) => new Date(`${v.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  pool.on('error', () => {
    /* a broken idle connection is replaced on next use */
  });
  const numbered = new Map<string, string>();
  const toPg = (sql: string) => {
    let s = numbered.get(sql);
    if (!s) {
      let n = 0;
      s = sql.replace(/\?/g, () => `$${++n}`);
      numbered.set(sql, s);
    }
    return s;
  };
  const bind = (params: SqlValue[]) => params.map((p) => (p instanceof Date ? p.toISOString() : typeof p === 'bigint' ? p.toString() : p));
  type Queryable = Pick<import('pg').PoolClient, 'query'>;
  const execute = async (q: Queryable, s: Stmt): Promise<unknown> => {
    const r = await q.query(toPg(s.sql), bind(s.params));
    if (s.kind === 'all') return r.rows;
    return { changes: r.rowCount ?? 0, lastId: (r.rows[0] as { id?: number } | undefined)?.id } satisfies RunResult;
  };
  return {
    dialect: 'postgresql',
    transaction: async (work, o) => {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: without one, a backend killed
      // mid-transaction would be an uncaught 'error' that takes the engine down. The
      // transaction's own query fails with the same error; the client is then discarded.
      let broken: Error | undefined;
      const onError = (e: Error) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        // PostgreSQL's equivalent: this commit need not wait for its WAL flush.
        if (o?.durable === false) await client.query('SET LOCAL synchronous_commit = off');
        const g = work();
        let step = g.next();
        while (!step.done) step = g.next(await execute(client, step.value));
        await client.query('COMMIT');
        return step.value;
      } catch (e) {
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        broken ??= e instanceof Error && /terminat|ECONNRESET|EPIPE/i.test(e.message) ? e : undefined;
        throw e;
      } finally {
        client.removeListener('error', onError);
        client.release(broken ?? false);
      }
    },
    all: async <T>(sql: string, params: SqlValue[] = []) => (await execute(pool, { kind: 'all', sql, params })) as T[],
    run: async (sql, params = []) => (await execute(pool, { kind: 'run', sql, params })) as RunResult,
    close: () => pool.end(),
  };
};

export const createSqlDriver = (url: string, poolSize = Number(process.env.POSTERN_DB_POOL_SIZE ?? 10)): Promise<SqlDriver> =>
  providerOf(url) === 'sqlite' ? createSqliteDriver(url) : createPgDriver(url, poolSize);
