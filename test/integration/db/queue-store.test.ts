// A message for one local Maildir is delivered by the queue store before its 250: written
// to tmp/, fsync'd, renamed into new/, new/ fsync'd. Checked on both stores the engine uses
// — the SQLite writer thread and the direct store on PostgreSQL — against real databases
// and a real file system, alone and in a batch with queue rows.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrateDatabase } from '../../../prisma/migrate';
import type { DeliveryFile } from '../../../mail-engine/store/delivery-file';
import { createDirectStore, type NewMessage, type QueueStore } from '../../../mail-engine/store/queue-store';
import { createSqlDriver } from '../../../mail-engine/store/sql-driver';
import { createWorkerStore } from '../../../mail-engine/store/sqlite-writer';
import { createFreshPgDatabase } from '../../helpers/pg';

const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
const delivery = (maildir: string, content: string): DeliveryFile => {
  const name = `${Date.now()}.P1Q${++seq}.test,S=${content.length}`;
  return { tmp: path.join(maildir, 'tmp', name), path: path.join(maildir, 'new', name), data: new TextEncoder().encode(content) };
};
const row = (): NewMessage => ({
  queueId: `4Q${(++seq).toString().padStart(8, '0')}`,
  sender: 'a@example.org',
  recipients: [{ address: 'x@example.net', original: 'x@example.net' }],
  body: [Buffer.from('Subject: queued\r\n\r\nhi\r\n')],
  size: 22,
  clientAddress: '127.0.0.2',
  clientName: 'localhost',
  helo: 'client.example.org',
  saslUser: '',
  protocol: 'ESMTP',
  receivedAt: new Date(),
});

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
  const maildir = path.join(dir, name.replace(/\W/g, '_'), 'Maildir');
  const inNew = () => readdirSync(path.join(maildir, 'new'));
  beforeAll(async () => {
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(path.join(maildir, sub), { recursive: true });
    s = await open();
  });
  afterAll(() => s?.close());

  it('delivers a file into new/ whole, tmp/ left empty', async () => {
    const f = delivery(maildir, 'Delivered-To: bob@example.com\r\n\r\nhello\r\n');
    await s.store.deliverFile(f);
    expect(readFileSync(f.path, 'utf8')).toBe('Delivered-To: bob@example.com\r\n\r\nhello\r\n');
    expect(readdirSync(path.join(maildir, 'tmp'))).toEqual([]);
  });

  it('delivers many at once beside queue rows, each file and each row kept', async () => {
    const before = inNew().length;
    const files = Array.from({ length: 20 }, (_, i) => delivery(maildir, `message ${i}\r\n`));
    const rows = Array.from({ length: 5 }, row);
    await Promise.all([...files.map((f) => s.store.deliverFile(f)), ...rows.map((m) => s.store.insertMessages([m], 'node-a', 60_000))]);
    expect(inNew()).toHaveLength(before + 20);
    files.forEach((f, i) => expect(readFileSync(f.path, 'utf8')).toBe(`message ${i}\r\n`));
    for (const m of rows) expect(await s.rows(m.queueId)).toBe(1);
  });

  it('never overwrites a file in tmp/: the delivery fails and nothing reaches new/', async () => {
    const f = delivery(maildir, 'new content\r\n');
    writeFileSync(f.tmp, 'someone else\r\n');
    await expect(s.store.deliverFile(f)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(f.tmp, 'utf8')).toBe('someone else\r\n');
    expect(existsSync(f.path)).toBe(false);
  });

  it('fails, leaving nothing behind, when the mailbox cannot take the file', async () => {
    const gone = path.join(dir, 'no-such-mailbox', 'Maildir');
    const f = delivery(gone, 'lost?\r\n');
    await expect(s.store.deliverFile(f)).rejects.toThrow(/ENOENT/);
    expect(existsSync(f.path)).toBe(false);
  });
});
