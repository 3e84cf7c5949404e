// Section 6: the console at scale — time to first byte of the users page with 100,000
// users and of delivery-log queries over 1,000,000 events, signed in as an admin, on
// SQLite and on PostgreSQL. The rows are generated inside the database (a recursive CTE on
// SQLite, generate_series on PostgreSQL) so seeding takes seconds.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashPassword } from '../../mail-engine/auth/password-hash';
import { createFreshPgDatabase } from '../../test/helpers/pg';
import { startPostern } from '../../test/helpers/start-postern';

const ADMIN = { address: 'admin@localhost', password: 'bench-admin-pw-1' };

const seedSql = (hash: string, users: number, events: number, dialect: 'sqlite' | 'postgresql') => {
  const now = "strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 'now')";
  if (dialect === 'sqlite') {
    return [
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
       INSERT INTO "User" ("address", "passwordHash", "role", "hasMailbox", "active", "quotaBytes", "createdAt", "updatedAt", "passwordChangedAt")
       SELECT 'user' || i || '@d' || (i % 1000) || '.example', '${hash}', 'USER', 1, 1, 0, ${now}, ${now}, ${now} FROM n`,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${events})
       INSERT INTO "DeliveryEvent" ("at", "event", "status", "queueId", "lookupId", "nodeId", "clientAddress", "clientName", "helo", "saslUser", "sender", "recipient", "code", "enhanced", "text", "trace")
       SELECT strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 'now', '-' || (i % 604800) || ' seconds'),
              CASE i % 4 WHEN 0 THEN 'smtp.rejected' WHEN 1 THEN 'message.accepted' WHEN 2 THEN 'delivery.sent' ELSE 'smtp.disconnect' END,
              CASE i % 4 WHEN 0 THEN 'rejected' WHEN 1 THEN 'accepted' WHEN 2 THEN 'sent' ELSE 'info' END,
              printf('%014X', i), printf('%010X', i), 'bench', '192.0.2.' || (i % 250), 'unknown', 'client' || (i % 500) || '.example', '',
              's' || (i % 20000) || '@example.org', 'r' || (i % 50000) || '@d' || (i % 1000) || '.example', CASE i % 4 WHEN 0 THEN 554 ELSE 0 END, '', 'bench event ' || i, ''
       FROM n`,
    ];
  }
  return [
    `INSERT INTO "User" ("address", "passwordHash", "role", "hasMailbox", "active", "quotaBytes", "createdAt", "updatedAt", "passwordChangedAt")
     SELECT 'user' || i || '@d' || (i % 1000) || '.example', '${hash}', 'USER', true, true, 0, now(), now(), now() FROM generate_series(1, ${users}) i`,
    `INSERT INTO "DeliveryEvent" ("at", "event", "status", "queueId", "lookupId", "nodeId", "clientAddress", "clientName", "helo", "saslUser", "sender", "recipient", "code", "enhanced", "text", "trace")
     SELECT now() - make_interval(secs => i % 604800),
            (ARRAY['smtp.rejected', 'message.accepted', 'delivery.sent', 'smtp.disconnect'])[i % 4 + 1],
            (ARRAY['rejected', 'accepted', 'sent', 'info'])[i % 4 + 1],
            lpad(upper(to_hex(i)), 14, '0'), lpad(upper(to_hex(i)), 10, '0'), 'bench', '192.0.2.' || (i % 250), 'unknown', 'client' || (i % 500) || '.example', '',
            's' || (i % 20000) || '@example.org', 'r' || (i % 50000) || '@d' || (i % 1000) || '.example', CASE WHEN i % 4 = 0 THEN 554 ELSE 0 END, '', 'bench event ' || i, ''
     FROM generate_series(1, ${events}) i`,
    'ANALYZE',
  ];
};

/** Signs in through next-auth's credentials endpoint; returns the Cookie header. */
const signIn = async (base: string) => {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      jar.set(kv!.slice(0, i), kv!.slice(i + 1));
    }
  };
  keep(csrf);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const r = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ csrfToken, address: ADMIN.address, password: ADMIN.password }),
  });
  keep(r);
  if (![...jar.keys()].some((k) => k.includes('session-token'))) throw new Error(`sign-in failed: HTTP ${r.status}`);
  return cookie();
};

/** Time to first byte (response headers) and to the whole page, medians of `n` after two warm-ups. */
const ttfb = async (url: string, cookie: string, n = 10) => {
  const first: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    const t = performance.now() - t0;
    if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`);
    await r.arrayBuffer();
    if (i >= 2) {
      first.push(t);
      whole.push(performance.now() - t0);
    }
  }
  first.sort((a, b) => a - b);
  whole.sort((a, b) => a - b);
  return { median: first[Math.floor(n / 2)]!, max: first.at(-1)!, whole: whole[Math.floor(n / 2)]! };
};

export const CONSOLE_QUERIES = [
  ['users page (first page)', '/users'],
  ['users search (prefix)', '/users?q=user4242'],
  ['log: by recipient', '/logs?recipient=r4242@d242.example'],
  ['log: by client IP, last 24 h', `/logs?client=192.0.2.42&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString().slice(0, 16))}`],
  ['log: newest first, no filter', '/logs'],
] as const;

export const runConsole = async (o: { dialect: 'sqlite' | 'postgresql'; users: number; events: number; log: (s: string) => void }) => {
  const pgDb = o.dialect === 'postgresql' ? await createFreshPgDatabase('bench_console') : undefined;
  const databaseUrl = pgDb?.url;
  const p = await startPostern({ role: 'web', env: { POSTERN_ADMIN_PASSWORD: ADMIN.password, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) } });
  try {
    const hash = await hashPassword('seeded-user-password');
    const t0 = performance.now();
    if (o.dialect === 'sqlite') {
      const db = new Database(path.join(p.dataDir, 'postern.db'), { timeout: 10_000 });
      for (const sql of seedSql(hash, o.users, o.events, 'sqlite')) db.exec(sql);
      db.exec('ANALYZE');
      db.close();
    } else {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      for (const sql of seedSql(hash, o.users, o.events, 'postgresql')) await c.query(sql);
      await c.end();
    }
    o.log(`  console (${o.dialect}): seeded ${o.users} users and ${o.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const cookie = await signIn(p.webUrl);
    const out: { name: string; median: number; max: number; whole: number }[] = [];
    for (const [name, url] of CONSOLE_QUERIES) out.push({ name, ...(await ttfb(p.webUrl + url, cookie)) });
    return out;
  } finally {
    await p.stop();
    await pgDb?.drop();
  }
};
