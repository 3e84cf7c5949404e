// Migrations on a fresh SQLite file and a fresh PostgreSQL database: apply, re-apply
// (nothing), and the resulting tables and columns are exactly what the Prisma client
// expects; then a real round trip through the client on every model.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../../prisma/client';
import { diffMigrationsToSchema, migrateDatabase, PROVIDER_DIRS } from '../../../prisma/migrate';
import { pgAvailable } from '../../helpers/env';
import { createFreshPgDatabase } from '../../helpers/pg';

type Field = { name: string; kind: string; dbName?: string | null };
/** Table → sorted scalar column names, from the runtime data model the generated client embeds. */
const runtimeModels = (provider: 'sqlite' | 'postgresql') => {
  const src = readFileSync(path.resolve(__dirname, `../../../prisma/generated/${provider}/internal/class.ts`), 'utf8');
  const m = /config\.runtimeDataModel = JSON\.parse\((".*?")\)/s.exec(src);
  if (!m) throw new Error('runtimeDataModel not found in the generated client');
  const model = JSON.parse(JSON.parse(m[1]!)) as { models: Record<string, { fields: Field[]; dbName: string | null }> };
  return Object.fromEntries(
    Object.entries(model.models).map(([name, def]) => [def.dbName ?? name, def.fields.filter((f) => f.kind === 'scalar').map((f) => f.dbName ?? f.name).sort()]),
  );
};

const migrationNames = (provider: 'sqlite' | 'postgresql') =>
  readdirSync(PROVIDER_DIRS[provider].migrations, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

const roundTrip = async (url: string) => {
  const db = await createPrismaClient(url);
  try {
    await db.domain.create({ data: { name: 'example.net', kind: 'LOCAL' } });
    await db.user.create({ data: { address: 'a@example.net', passwordHash: 'x', quotaBytes: 5n * 1024n ** 3n } });
    const msg = await db.message.create({ data: { id: 'ABC123', sender: 's@x', size: 1, body: Buffer.from('x'), recipients: { create: [{ address: 'r@y', originalAddress: 'r@y' }] } } });
    await db.deliveryEvent.create({ data: { event: 'message.accepted', queueId: msg.id } });
    await db.auditEntry.create({ data: { actor: 't', action: 'x', entity: 'y' } });
    await db.policyRevision.create({ data: { actor: 't', summary: 's', mainCf: '' } });
    await db.engineNode.create({ data: { id: 'n1', hostname: 'h', pid: 1, version: 'v' } });
    await db.setting.create({ data: { name: 'myhostname', value: 'mx.example.net' } });
    await db.alias.create({ data: { address: 'x@example.net', target: 'a@example.net' } });
    await db.accessEntry.create({ data: { table: 't', key: 'k', action: 'OK' } });
    await db.trustedNetwork.create({ data: { cidr: '192.0.2.0/24' } });
    const back = await db.user.findUniqueOrThrow({ where: { address: 'a@example.net' } });
    expect(back.quotaBytes).toBe(5n * 1024n ** 3n);
    expect(await db.recipient.count({ where: { messageId: 'ABC123' } })).toBe(1);
  } finally {
    await db.$disconnect();
  }
};

describe('migrations on SQLite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-mig-'));
  const file = path.join(dir, 'sub', 'postern.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every migration to a fresh file, then nothing on the second run', async () => {
    const first = await migrateDatabase(`file:${file}`);
    expect(first.applied).toEqual(migrationNames('sqlite'));
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await migrateDatabase(`file:${file}`);
    expect(second.applied).toEqual([]);
    const rows = new Database(file).prepare('SELECT migration_name, finished_at FROM _prisma_migrations').all() as { migration_name: string; finished_at: string | null }[];
    expect(rows.map((r) => r.migration_name).sort()).toEqual(migrationNames('sqlite'));
    expect(rows.every((r) => r.finished_at)).toBe(true);
  });

  it('creates exactly the tables and columns the Prisma client expects', async () => {
    const expected = runtimeModels('sqlite');
    const sqlite = new Database(file);
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations'").all() as { name: string }[]).map((t) => t.name).sort();
    expect(tables).toEqual(Object.keys(expected).sort());
    for (const t of tables) {
      const cols = (sqlite.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name).sort();
      expect(cols, `columns of ${t}`).toEqual(expected[t]);
    }
  });

  it('round-trips every model through the client', () => roundTrip(`file:${file}`));

  it('has no schema change without a migration', async () => {
    expect(await diffMigrationsToSchema('sqlite', 'file::memory:')).toBe('');
  });
});

describe('migrations on PostgreSQL', async () => {
  const available = await pgAvailable();
  const fresh = available ? await createFreshPgDatabase('migrations') : undefined;
  afterAll(async () => fresh?.drop());

  it.skipIf(!available)('applies every migration to a fresh database, then nothing on the second run', async () => {
    const first = await migrateDatabase(fresh!.url);
    expect(first.applied).toEqual(migrationNames('postgresql'));
    expect((await migrateDatabase(fresh!.url)).applied).toEqual([]);
  });

  it.skipIf(!available)('creates exactly the tables and columns the Prisma client expects', async () => {
    const expected = runtimeModels('postgresql');
    const c = new pg.Client({ connectionString: fresh!.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
      );
      const actual: Record<string, string[]> = {};
      for (const r of rows) (actual[r.table_name] ??= []).push(r.column_name);
      for (const k of Object.keys(actual)) actual[k]!.sort();
      expect(actual).toEqual(expected);
    } finally {
      await c.end();
    }
  });

  it.skipIf(!available)('round-trips every model through the client', () => roundTrip(fresh!.url));

  it.skipIf(!available)('has no schema change without a migration', async () => {
    expect(await diffMigrationsToSchema('postgresql', fresh!.url)).toBe('');
  });

  it.skipIf(!available)('creates the database named in DATABASE_URL when it does not exist', async () => {
    const url = new URL(fresh!.url);
    url.pathname = `${url.pathname}_auto`;
    const r = await migrateDatabase(url.toString());
    expect(r.applied.length).toBeGreaterThan(0);
    const c = new pg.Client({ connectionString: fresh!.url });
    await c.connect();
    await c.query(`DROP DATABASE "${url.pathname.slice(1)}" WITH (FORCE)`);
    await c.end();
  });
});
