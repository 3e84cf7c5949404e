// A fresh PostgreSQL database per test file, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_ADMIN_URL } from './env';

export const createFreshPgDatabase = async (label: string) => {
  const name = `postern_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
};

/** Runs one statement as the PostgreSQL superuser (outages: ALLOW_CONNECTIONS, terminating backends). */
export const pgAdmin = async (sql: string) => {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};

/**
 * A database outage as clients see it: with `on`, new connections are refused and the open
 * ones are cut; with `off`, connections are allowed again.
 */
export const pgOutage = async (databaseUrl: string, on: boolean) => {
  const name = new URL(databaseUrl).pathname.slice(1);
  await pgAdmin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${on ? 'false' : 'true'}`);
  if (on) await pgAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
};
