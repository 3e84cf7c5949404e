// The log search takes what an operator types literally: "100%" and "user_1" find those
// characters, not SQL LIKE's wildcards (which would match nearly every row).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../../prisma/migrate';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'postern-logsearch-'));

describe('log search', () => {
  let find: typeof import('../../../server/queries/logs')['findDeliveryEvents'];
  let schema: typeof import('../../../server/queries/logs')['logFilterSchema'];
  beforeAll(async () => {
    process.env.POSTERN_DATA_DIR = dataDir;
    await migrateDatabase(`file:${path.join(dataDir, 'postern.db')}`);
    ({ findDeliveryEvents: find, logFilterSchema: schema } = await import('../../../server/queries/logs'));
    const { getDb } = await import('../../../server/db');
    const db = await getDb();
    const rows = Array.from({ length: 150 }, (_, i) => ({ event: 'smtp.rejected', text: `plain reject ${i}`, recipient: `user${i}@example.org` }));
    await db.deliveryEvent.createMany({ data: [{ event: 'smtp.rejected', text: 'quota 100% full', recipient: 'a@example.org' }, { event: 'smtp.rejected', text: 'x', recipient: 'user_1@example.org' }, ...rows] });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('treats % and _ as themselves', async () => {
    expect((await find(schema.parse({ q: '100%' }))).map((e) => e.text)).toEqual(['quota 100% full']);
    expect((await find(schema.parse({ q: '%' }))).map((e) => e.text)).toEqual(['quota 100% full']);
    expect((await find(schema.parse({ q: 'user_1' }))).map((e) => e.recipient)).toEqual(['user_1@example.org']);
    // An ordinary search is unchanged.
    expect((await find(schema.parse({ q: 'plain reject 14' }))).map((e) => e.text).sort()).toEqual(['plain reject 14', 'plain reject 140', 'plain reject 141', 'plain reject 142', 'plain reject 143', 'plain reject 144', 'plain reject 145', 'plain reject 146', 'plain reject 147', 'plain reject 148', 'plain reject 149']);
  });
});
