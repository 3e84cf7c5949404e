// On SQLite, Prisma's client is one connection, so a query from elsewhere in the process
// (a console page, the engine's revision poll) that runs while a transaction is open runs
// inside it and pins a read snapshot. If another connection — the engine's writer thread —
// commits before the transaction's first write, that write fails at once with SQLITE_BUSY,
// whatever the busy timeout: an admin's save failed at random while mail flowed. Every
// transaction now holds the write lock from its start, so the writer waits instead.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../../prisma/client';
import { migrateDatabase } from '../../../prisma/migrate';
import type { EventRow } from '../../../mail-engine/store/queue-store';
import { createWorkerStore } from '../../../mail-engine/store/sqlite-writer';
import { sleep } from '../../helpers/wait';

const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-concurrent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (lookupId: string): EventRow => ({
  at: new Date(), event: 'smtp.disconnect', status: 'info', queueId: '', lookupId, nodeId: 'test', clientAddress: '127.0.0.2',
  clientName: 'localhost', helo: '', saslUser: '', sender: '', recipient: '', code: 0, enhanced: '', text: '', trace: '',
});

describe('SQLite: a transaction while the engine writes', () => {
  it('commits even when a read from elsewhere and a writer-thread commit come before its first write', async () => {
    const url = `file:${path.join(dir, 'postern.db')}`;
    await migrateDatabase(url);
    const db = await createPrismaClient(url);
    const store = createWorkerStore(url);
    try {
      await store.insertEvents([event('warm-up')]);
      let logged: Promise<unknown> | undefined;
      await db.$transaction(async (tx) => {
        await db.setting.findMany(); // another request's read, on the same connection
        logged = store.insertEvents([event('during')]); // the engine logs meanwhile
        await sleep(100);
        await tx.setting.create({ data: { name: 'myhostname', value: 'mx.concurrent.test' } });
      });
      await logged;
      expect((await db.setting.findUnique({ where: { name: 'myhostname' } }))?.value).toBe('mx.concurrent.test');
      expect(await db.deliveryEvent.count({ where: { lookupId: 'during' } })).toBe(1);
    } finally {
      await store.close();
      await db.$disconnect();
    }
  });
});
