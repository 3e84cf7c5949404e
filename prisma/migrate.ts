// Offline migrations with Prisma's schema engine compiled to WebAssembly (the CLI's native
// binary cannot be downloaded here). Applies prisma/migrations (SQLite) or
// prisma/postgresql/migrations (PostgreSQL) exactly as `prisma migrate deploy` would,
// recording each in _prisma_migrations, and writes new migrations from the schema diff.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { Client as PgClient } from 'pg';
import { createAdapterFactory, providerOf, sqlitePathOf, type DbProvider } from './client';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const PROVIDER_DIRS: Record<DbProvider, { schema: string; migrations: string }> = {
  sqlite: { schema: path.join(here, 'schema.prisma'), migrations: path.join(here, 'migrations') },
  postgresql: {
    schema: path.join(here, 'postgresql/schema.prisma'),
    migrations: path.join(here, 'postgresql/migrations'),
  },
};

const FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

type SchemaEngine = {
  diff(p: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  applyMigrations(p: unknown): Promise<{ appliedMigrationNames: string[] }>;
  free(): void;
};

let wasmReady: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;
const loadWasm = () =>
  (wasmReady ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmFile = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile), { './schema_engine_bg.js': bg as never });
    (bg as unknown as { __wbg_set_wasm(x: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg;
  })());

type OpenEngine = { engine: SchemaEngine; close(): Promise<void> };

/**
 * One engine over one connection. The pool is capped at one connection because the engine
 * takes a PostgreSQL advisory lock and must release it on the connection that took it;
 * every adapter the engine opened is disposed on close so no lock or handle outlives it.
 */
const openEngine = async (url: string, schemaText: string): Promise<OpenEngine> => {
  const bg = await loadWasm();
  const base = createAdapterFactory(url, 1);
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking = Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => {
      const a = await base.connect();
      opened.push(a);
      return a;
    },
    connectToShadowDb: async () => {
      const a = await base.connectToShadowDb();
      opened.push(a);
      return a;
    },
  });
  const factory = bindMigrationAwareSqlAdapterFactory(tracking);
  const engine = (await (bg.SchemaEngine as unknown as {
    new: (o: unknown, cb: (m: string) => void, a: unknown) => Promise<SchemaEngine>;
  }).new({ datamodels: [['schema.prisma', schemaText]] }, () => {}, factory)) as SchemaEngine;
  return {
    engine,
    close: async () => {
      engine.free();
      await Promise.allSettled(opened.map((a) => a.dispose()));
    },
  };
};

const readMigrationsList = (provider: DbProvider) => {
  const baseDir = PROVIDER_DIRS[provider].migrations;
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const dirs = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok', value: readFileSync(file, 'utf8') }
            : { tag: 'error', value: `missing ${file}` },
        },
      };
    }),
  };
};

/** Creates the PostgreSQL database named in the URL when it does not exist yet. */
const ensurePgDatabase = async (url: string) => {
  const u = new URL(url);
  const dbName = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new PgClient({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (!rowCount) await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
};

export type MigrateResult = { provider: DbProvider; applied: string[] };

/**
 * Migration folders not yet recorded as finished, read without the schema engine (which
 * takes a database-wide lock): a database already up to date is never locked at start-up,
 * so CLI commands can run beside a busy engine.
 */
export const pendingMigrations = async (url: string): Promise<string[] | undefined> => {
  const provider = providerOf(url);
  const wanted = readMigrationsList(provider).migrationDirectories.map((d) => d.path);
  let done: string[];
  try {
    if (provider === 'sqlite') {
      const file = sqlitePathOf(url);
      if (!existsSync(file)) return undefined;
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        done = (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as { migration_name: string }[]).map((r) => r.migration_name);
      } finally {
        db.close();
      }
    } else {
      const c = new PgClient({ connectionString: url });
      await c.connect();
      try {
        done = (await c.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')).rows.map((r) => r.migration_name);
      } finally {
        await c.end();
      }
    }
  } catch {
    return undefined; // no database or no migrations table yet: let the engine decide
  }
  return wanted.filter((w) => !done.includes(w));
};

/** Applies pending migrations; a second run applies nothing. */
export const migrateDatabase = async (url: string): Promise<MigrateResult> => {
  const provider = providerOf(url);
  const pending = await pendingMigrations(url);
  if (pending && pending.length === 0) return { provider, applied: [] };
  if (provider === 'postgresql') await ensurePgDatabase(url);
  const { engine, close } = await openEngine(url, readFileSync(PROVIDER_DIRS[provider].schema, 'utf8'));
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrationsList(provider), filters: FILTERS });
    return { provider, applied: out.appliedMigrationNames };
  } finally {
    await close();
  }
};

/**
 * SQL that takes the schema of the last migration to the current schema ('' when up to date).
 * Each migration folder keeps the schema.prisma it was generated from (Prisma ignores extra
 * files there), so the diff is datamodel → datamodel and needs no shadow database: replaying
 * migrations into a shadow database is not supported by the WebAssembly engine's adapters.
 */
export const diffMigrationsToSchema = async (provider: DbProvider, url: string): Promise<string> => {
  const schemaText = readFileSync(PROVIDER_DIRS[provider].schema, 'utf8');
  const { baseDir, migrationDirectories } = readMigrationsList(provider);
  const last = migrationDirectories.at(-1);
  const snapshot = last ? path.join(baseDir, last.path, 'schema.prisma') : undefined;
  if (snapshot && !existsSync(snapshot)) throw new Error(`${snapshot} is missing: cannot diff from the last migration`);
  const { engine, close } = await openEngine(url, schemaText);
  try {
    const res = await engine.diff({
      from: snapshot
        ? { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: readFileSync(snapshot, 'utf8') }] }
        : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schemaText }] },
      script: true,
      exitCode: null,
      filters: FILTERS,
    });
    const sql = (res.stdout ?? '').trim();
    return sql === '-- This is an empty migration.' ? '' : sql;
  } finally {
    await close();
  }
};

/** Writes <timestamp>_<name>/migration.sql for each provider whose schema moved. */
export const createMigration = async (name: string, pgShadowUrl: string) => {
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error('migration name: letters, digits and underscores only');
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const written: string[] = [];
  for (const provider of ['sqlite', 'postgresql'] as const) {
    const sql = await diffMigrationsToSchema(provider, provider === 'sqlite' ? 'file::memory:' : pgShadowUrl);
    if (!sql) continue;
    const { migrations } = PROVIDER_DIRS[provider];
    const dir = path.join(migrations, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
    writeFileSync(path.join(dir, 'schema.prisma'), readFileSync(PROVIDER_DIRS[provider].schema, 'utf8'));
    const lock = path.join(migrations, 'migration_lock.toml');
    if (!existsSync(lock)) {
      writeFileSync(lock, `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`);
    }
    written.push(dir);
  }
  return written;
};
