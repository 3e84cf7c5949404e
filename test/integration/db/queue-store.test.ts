// The queue store makes a single-mailbox message durable in one request: its spool file
// (created exclusively, written, fsync'd) and its rows, or neither. Checked on both stores
// the engine uses — the SQLite writer thread and the direct store on PostgreSQL — against
// real databases and a real file system.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrateDatabase } from '../../../prisma/migrate';
import { createDirectStore, type NewMessage, type QueueStore } from '../../../mail-engine/store/queue-store';
import { createSqlDriver } from '../../../mail-engine/store/sql-driver';
import { createWorkerStore } from '../../../mail-engine/store/sqlite-writer';
import { createFreshPgDatabase } from '../../helpers/pg';

const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
const message = (spoolDir: string, content: string, queueId?: string): NewMessage => {
  const n = ++seq;
  const rel = `.postern-spool/0/m${n}`;
  return {
    queueId: queueId ?? `4Q${n.toString().padStart(8, '0')}`,
    sender: 'a@example.org',
    recipients: [{ address: 'bob@example.com', original: 'bob@example.com' }],
    body: null,
    bodyPath: rel,
    spool: { file: path.join(spoolDir, `m${n}`), data: new TextEncoder().encode(content) },
    size: content.length,
    clientAddress: '127.0.0.2',
    clientName: 'localhost',
    helo: 'client.example.org',
    saslUser: '',
    protocol: 'ESMTP',
    receivedAt: new Date(),
  };
};

const cases: { name: string; open: () => Promise<{ store: QueueStore; rows: (id: string) => Promise<number>; close: () => Promise<void> }> }[] = [
  {
    name: 'SQLite writer thread',
    open: async () => {
      const url = `file:${path.join(dir, 'queue.db')}`;
      await migrateDatabase(url);
      const store = createWorkerStore(url);
      const reader = new Database(path.join(dir, 'queue.db'), { readonly: true });
      return {
        store,
        rows: async (id) => (reader.prepare('SELECT count(*) AS n FROM "Message" WHERE "id" = ?').get(id) as { n: number }).n,
        close: async () => {
          reader.close();
          await store.close();
        },
      };
    },
  },
  {
    name: 'PostgreSQL direct store',
    open: async () => {
      const db = await createFreshPgDatabase('queue_store');
      await migrateDatabase(db.url);
      const store = createDirectStore(await createSqlDriver(db.url, 2));
      const reader = new pg.Client({ connectionString: db.url });
      await reader.connect();
      return {
        store,
        rows: async (id) => Number((await reader.query('SELECT count(*) AS n FROM "Message" WHERE "id" = $1', [id])).rows[0].n),
        close: async () => {
          await reader.end();
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

describe.each(cases)('queue store: $name', ({ name, open }) => {
  let s: Awaited<ReturnType<(typeof cases)[number]['open']>>;
  const spoolDir = path.join(dir, name.replace(/\W/g, '_'));
  beforeAll(async () => {
    mkdirSync(spoolDir, { recursive: true });
    s = await open();
  });
  afterAll(() => s?.close());

  it('writes the spool file and commits the row together', async () => {
    const m = message(spoolDir, 'Delivered-To: bob@example.com\r\n\r\nhello\r\n');
    const file = m.spool!.file;
    const [queued] = await s.store.insertMessages([m], 'node-a', 60_000);
    expect(queued!.recipients).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe('Delivered-To: bob@example.com\r\n\r\nhello\r\n');
    expect(await s.rows(m.queueId)).toBe(1);
  });

  it('removes the spool file when the row cannot commit, and keeps the other message of the batch', async () => {
    const first = message(spoolDir, 'first\r\n');
    await s.store.insertMessages([first], 'node-a', 60_000);
    // The same queue id again: the row violates the primary key.
    const dup = message(spoolDir, 'duplicate\r\n', first.queueId);
    const dupFile = dup.spool!.file;
    await expect(s.store.insertMessages([dup], 'node-a', 60_000)).rejects.toThrow();
    expect(existsSync(dupFile)).toBe(false);
    expect(readFileSync(first.spool!.file, 'utf8')).toBe('first\r\n');
    expect(await s.rows(first.queueId)).toBe(1);
  });

  it('never overwrites an existing file: the message is refused and nothing is stored', async () => {
    const m = message(spoolDir, 'new content\r\n');
    writeFileSync(m.spool!.file, 'someone else\r\n');
    await expect(s.store.insertMessages([m], 'node-a', 60_000)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(m.spool!.file, 'utf8')).toBe('someone else\r\n');
    expect(await s.rows(m.queueId)).toBe(0);
  });
});
