// `npm start`'s process on free ports: the console serves /login, the SMTP port greets with
// 220, a first admin exists with a 0600 password file, a second start changes nothing, a
// port that cannot be bound is one clear line while the console still comes up, and
// SIGTERM stops everything with exit code 0; with no SMTP port or no database it exits 1.
// On SQLite and on PostgreSQL.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgAvailable } from '../helpers/env';
import { createFreshPgDatabase } from '../helpers/pg';
import { SmtpProbe } from '../helpers/smtp-probe';
import { posternEnvArgs, startPostern, type RunningPostern } from '../helpers/start-postern';
import { run } from '../helpers/clients';

const bootChecks = (label: string, env: () => Promise<Record<string, string>> | Record<string, string>) => {
  let first: RunningPostern | undefined;
  afterAll(async () => {
    await first?.stop();
  });

  it(`${label}: serves /login and greets on the SMTP port`, async () => {
    first = await startPostern({ env: await env(), keepData: true });
    const res = await fetch(`${first.webUrl}/login`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Sign in');
    const { probe, greeting } = await SmtpProbe.connect(first.ports.smtp);
    expect(greeting.code).toBe(220);
    expect(greeting.text).toMatch(/ESMTP Postern$/);
    expect((await probe.cmd('QUIT')).code).toBe(221);
    probe.close();
  });

  it(`${label}: created the first admin with a generated password kept in a 0600 file`, () => {
    const out = first!.output();
    const file = path.join(first!.dataDir, 'initial-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(out).toContain(`created the first admin admin@localhost with the password: ${password}`);
  });

  it(`${label}: SIGTERM stops the console and the engine with exit code 0`, async () => {
    const code = await first!.stop('SIGTERM');
    expect(code).toBe(0);
    expect(first!.output()).toContain('postern: stopped');
    await expect(fetch(`${first!.webUrl}/login`)).rejects.toThrow();
  });

  it(`${label}: a second start applies nothing and keeps the admin`, async () => {
    const again = await startPostern({ env: await env(), dataDir: first!.dataDir });
    try {
      expect(again.output()).not.toContain('applied migrations');
      expect(again.output()).not.toContain('created the first admin');
      expect((await fetch(`${again.webUrl}/login`)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
};

describe('boot on SQLite', () => {
  bootChecks('sqlite', () => ({}));

  it('keeps the data directory 0700 and the database and secrets 0600', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'postern-perms-'));
    const dataDir = path.join(parent, 'data');
    const p = await startPostern({ dataDir, role: 'engine' });
    try {
      const mode = (f: string) => statSync(path.join(dataDir, f)).mode & 0o777;
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const f of ['postern.db', 'postern.db-wal', 'auth-secret', 'initial-admin-password']) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await p.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('reports an SMTP port it cannot bind in one line and still serves the console', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const p = await startPostern({ env: { POSTERN_SMTP_PORT: String(taken) } });
    try {
      const lines = p.output().split('\n').filter((l) => l.includes(`:${taken}`));
      expect(lines.some((l) => /cannot listen for smtpd on .*:\d+: the port is already in use .*set POSTERN_SMTP_PORT or postern_smtpd_port to a free port/.test(l))).toBe(true);
      expect((await fetch(`${p.webUrl}/login`)).status).toBe(200);
      const { probe, greeting } = await SmtpProbe.connect(p.ports.submission);
      expect(greeting.code).toBe(220);
      probe.close();
    } finally {
      await p.stop();
      blocker.close();
    }
  });

  it('exits non-zero when it cannot serve what was asked: no SMTP port, or no usable database', async () => {
    const blockers = await Promise.all([0, 1, 2].map(() => new Promise<net.Server>((r) => { const b = net.createServer(); b.listen(0, '0.0.0.0', () => r(b)); })));
    const [smtp, submission, smtps] = blockers.map((b) => String((b.address() as net.AddressInfo).port));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'postern-boot-'));
    try {
      const noPorts = await run('env', posternEnvArgs(dataDir, ['serve', '--role', 'engine'], { POSTERN_SMTP_PORT: smtp!, POSTERN_SUBMISSION_PORT: submission!, POSTERN_SMTPS_PORT: smtps! }));
      expect(noPorts.code).toBe(1);
      expect(noPorts.stderr).toMatch(/no SMTP service could listen on any of its ports/);
      const noDb = await run('env', posternEnvArgs(dataDir, ['serve', '--role', 'engine'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/postern' }));
      expect(noDb.code).not.toBe(0);
    } finally {
      for (const b of blockers) b.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // libuv's pool threads are created together when the pool is first used (start-up reads
  // files through it), so the engine's thread count moves with the pool's size: 16 by
  // default (bin/postern.cjs), the operator's UV_THREADPOOL_SIZE when set.
  it("runs libuv's thread pool with 16 threads unless UV_THREADPOOL_SIZE says otherwise", async () => {
    const threads = async (env: Record<string, string>) => {
      const p = await startPostern({ role: 'engine', env });
      try {
        return readdirSync(`/proc/${p.proc.pid}/task`).length;
      } finally {
        await p.stop();
      }
    };
    const byDefault = await threads({ UV_THREADPOOL_SIZE: '' });
    const four = await threads({ UV_THREADPOOL_SIZE: '4' });
    expect(byDefault - four).toBe(16 - 4);
  });
});

const PG = await pgAvailable();

describe.skipIf(!PG)('boot on PostgreSQL', async () => {
  const fresh = await createFreshPgDatabase('boot');
  afterAll(async () => fresh.drop());
  bootChecks('postgresql', () => ({ DATABASE_URL: fresh.url }));
});
