// The real mail engine in this process on free ports, with a fresh SQLite (or given)
// database set up through the same services the console and CLI use.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrismaClient, type Db } from '../../prisma/client';
import { migrateDatabase } from '../../prisma/migrate';
import { loadConfig } from '../../mail-engine/config';
import { startMailEngine, type MailEngine } from '../../mail-engine/main';
import { CLI_ACTOR } from '../../server/services/actor';
import { importMainCf } from '../../server/services/policy/import-main-cf';
import { initializeDatabase } from '../../server/services/setup/initialize-database';
import { createUser } from '../../server/services/users/create-user';
import { defaultDnsServer } from './dns-server';

export type TestEngine = {
  engine: MailEngine;
  db: Db;
  dataDir: string;
  port: (service?: 'smtpd' | 'submission' | 'submissions') => number;
  stop: () => Promise<void>;
};

export const startTestEngine = async (o: {
  mainCf?: string;
  users?: { address: string; password: string; role?: 'ADMIN' | 'OPERATOR' | 'USER'; hasMailbox?: boolean }[];
  databaseUrl?: string;
  env?: Record<string, string>;
  setup?: (db: Db) => Promise<void>;
  /** Start again on this data directory (same node id, same journal) instead of a new one. */
  dataDir?: string;
} = {}): Promise<TestEngine> => {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'postern-engine-'));
  const config = loadConfig({
    POSTERN_DNS_SERVER: await defaultDnsServer(),
    POSTERN_DATA_DIR: dataDir,
    POSTERN_SMTP_PORT: '0',
    POSTERN_SUBMISSION_PORT: '0',
    POSTERN_SMTPS_PORT: '0',
    POSTERN_ADMIN_PASSWORD: 'admin-password-123',
    POSTERN_NODE_ID: `test-${path.basename(dataDir)}`,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ...o.env,
  });
  await migrateDatabase(config.databaseUrl);
  const db = await createPrismaClient(config.databaseUrl);
  await initializeDatabase(db, { dataDir, adminEmail: config.adminEmail, adminPassword: config.adminPassword });
  if (o.mainCf) await importMainCf(db, CLI_ACTOR, o.mainCf);
  for (const u of o.users ?? []) await createUser(db, CLI_ACTOR, { address: u.address, password: u.password, role: u.role ?? 'USER', hasMailbox: u.hasMailbox ?? true });
  await o.setup?.(db);
  const engine = await startMailEngine(config, { db });
  return {
    engine,
    db,
    dataDir,
    port: (service = 'smtpd') => {
      const l = engine.listeners().find((x) => x.service === service && x.up);
      if (!l) throw new Error(`no ${service} listener: ${JSON.stringify(engine.listeners())}`);
      return l.port;
    },
    stop: async () => {
      await engine.close();
      await db.$disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
