// Two factors over real HTTP and SMTP: a TOTP user's right password alone opens no session
// (a challenge instead), a code does, once; recovery codes work once; five wrong codes end
// the challenge; SMTP AUTH (swaks) refuses the main password of a 2FA user and accepts an
// app password until it is revoked; a role that must use a second factor is held on the
// account page until it has one; and a forbidden action is a security event that
// fail2ban's filter for the console reads alongside failed logins.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/services/actor';
import { confirmTotp, startTotp } from '../../server/services/auth/second-factors';
import { createAppPassword, revokeAppPassword } from '../../server/services/auth/app-passwords';
import { run, swaks } from '../helpers/clients';
import { consoleLogin, consoleSecondStep, request, sessionOf } from '../helpers/console-http';
import { posternEnvArgs, startPostern, type RunningPostern } from '../helpers/start-postern';
import { createPrismaClient, type Db } from '../../prisma/client';

const ADMIN_PASSWORD = 'second-factor-admin-pw-1';
const BOB = { address: 'bob@localhost', password: 'bobs-long-password-42' };
const CAROL = { address: 'carol@localhost', password: 'carols-long-password-42' };

describe('second factors and app passwords', () => {
  let p: RunningPostern;
  let db: Db;
  let secret = '';
  let recovery: string[] = [];
  const saved = { secret: process.env.AUTH_SECRET, dir: process.env.POSTERN_DATA_DIR };
  const cli = (args: string[], input?: string) => run('env', posternEnvArgs(p.dataDir, args), input);
  const bob: Actor = { address: BOB.address, role: 'USER' };
  const smtpAuth = (ip: string, user: string, password: string) =>
    swaks(['--server', `127.0.0.1:${p.ports.submission}`, '--local-interface', ip, '--tls', '--auth', 'PLAIN', '--auth-user', user, '--auth-password', password, '--quit-after', 'AUTH']);

  beforeAll(async () => {
    p = await startPostern({ env: { POSTERN_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    db = await createPrismaClient(`file:${p.dataDir}/postern.db`);
    // The services below run in this process against the server's database, with its secret.
    process.env.AUTH_SECRET = readFileSync(path.join(p.dataDir, 'auth-secret'), 'utf8').trim();
    process.env.POSTERN_DATA_DIR = p.dataDir;
    for (const u of [BOB, CAROL]) expect((await cli(['user', 'add', u.address, '--password-stdin'], `${u.password}\n`)).code).toBe(0);
  });
  afterAll(async () => {
    process.env.AUTH_SECRET = saved.secret;
    process.env.POSTERN_DATA_DIR = saved.dir;
    await db?.$disconnect();
    await p?.stop();
  });

  it('asks a TOTP user for a code after the right password, and accepts each code once', async () => {
    const enrol = await startTotp(db, bob);
    secret = enrol.secret;
    const now = Math.floor(Date.now() / 1000);
    await expect(confirmTotp(db, bob, { id: enrol.id, code: '000000', currentPassword: BOB.password }, '127.0.0.1')).rejects.toThrow(/not right/);
    const confirmed = await confirmTotp(db, bob, { id: enrol.id, code: await generate({ secret, epoch: now }), currentPassword: BOB.password }, '127.0.0.1');
    recovery = confirmed.recoveryCodes!;
    expect(recovery).toHaveLength(10);

    const first = await consoleLogin(p.webUrl, '127.0.31.1', BOB.address, BOB.password);
    expect(first.ok).toBe(false);
    expect(first.challenge).toBeTruthy();
    // A wrong code: no session, and the challenge lives on.
    expect((await consoleSecondStep(p.webUrl, '127.0.31.1', first.challenge!, { code: '123456' })).ok).toBe(false);
    // The code of the step already used at enrolment is refused (never twice); the next step's is taken.
    expect((await consoleSecondStep(p.webUrl, '127.0.31.1', first.challenge!, { code: await generate({ secret, epoch: now }) })).ok).toBe(false);
    const next = await generate({ secret, epoch: now + 30 });
    const done = await consoleSecondStep(p.webUrl, '127.0.31.1', first.challenge!, { code: next });
    expect(done.ok).toBe(true);
    expect(await sessionOf(p.webUrl, done.jar)).toBe(BOB.address);
    // The challenge was used up, and the same code does not open a second session.
    expect((await consoleSecondStep(p.webUrl, '127.0.31.1', first.challenge!, { code: next })).ok).toBe(false);
    const again = await consoleLogin(p.webUrl, '127.0.31.1', BOB.address, BOB.password);
    expect((await consoleSecondStep(p.webUrl, '127.0.31.1', again.challenge!, { code: next })).ok).toBe(false);
  });

  it('takes a recovery code once, and ends a challenge after five wrong codes', async () => {
    const a = await consoleLogin(p.webUrl, '127.0.31.2', BOB.address, BOB.password);
    expect((await consoleSecondStep(p.webUrl, '127.0.31.2', a.challenge!, { code: recovery[0]!.toUpperCase() })).ok).toBe(true);
    const b = await consoleLogin(p.webUrl, '127.0.31.2', BOB.address, BOB.password);
    expect((await consoleSecondStep(p.webUrl, '127.0.31.2', b.challenge!, { code: recovery[0]! })).ok).toBe(false);
    expect((await db.recoveryCode.count({ where: { userAddress: BOB.address, usedAt: null } }))).toBe(9);

    const c = await consoleLogin(p.webUrl, '127.0.31.3', BOB.address, BOB.password);
    for (let i = 0; i < 5; i++) expect((await consoleSecondStep(p.webUrl, '127.0.31.3', c.challenge!, { code: `99999${i}` })).ok).toBe(false);
    // The sixth try, even with a good recovery code, finds the challenge gone.
    const sixth = await consoleSecondStep(p.webUrl, '127.0.31.3', c.challenge!, { code: recovery[1]! });
    expect(sixth.ok).toBe(false);
    expect(sixth.location).toMatch(/code=challenge-gone/);
  });

  it('accepts only app passwords over SMTP AUTH for a 2FA user, until one is revoked', async () => {
    const main = await smtpAuth('127.0.31.10', BOB.address, BOB.password);
    expect(main.stdout).toMatch(/535 5\.7\.8/);
    const app = await createAppPassword(db, bob, { label: 'Phone', currentPassword: BOB.password }, '127.0.0.1');
    expect(app.password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const ok = await smtpAuth('127.0.31.10', BOB.address, app.password);
    expect(ok.stdout).toMatch(/235 2\.7\.0/);
    const row = await db.appPassword.findFirstOrThrow({ where: { userAddress: BOB.address } });
    expect(row.lastUsedAddress).toBe('127.0.31.10');
    expect(row.lastUsedAt).not.toBeNull();
    // Typed without dashes and in capitals, it is the same password.
    expect((await smtpAuth('127.0.31.10', BOB.address, app.password.replace(/-/g, '').toUpperCase())).stdout).toMatch(/235 2\.7\.0/);
    await revokeAppPassword(db, bob, row.id, '127.0.0.1');
    expect((await smtpAuth('127.0.31.11', BOB.address, app.password)).stdout).toMatch(/535 5\.7\.8/);
    // A user without a second factor keeps the main password for SMTP, and may use app passwords too.
    expect((await smtpAuth('127.0.31.12', CAROL.address, CAROL.password)).stdout).toMatch(/235 2\.7\.0/);
    const carols = await createAppPassword(db, { address: CAROL.address, role: 'USER' }, { label: 'Laptop', currentPassword: CAROL.password }, '127.0.0.1');
    expect((await smtpAuth('127.0.31.12', CAROL.address, carols.password)).stdout).toMatch(/235 2\.7\.0/);
  });

  it('holds a role that must use a second factor on the account page until it has one', async () => {
    expect((await cli(['set', 'postern_console_second_factor_roles=admin'])).code).toBe(0);
    try {
      const admin = await consoleLogin(p.webUrl, '127.0.31.20', 'admin@localhost', ADMIN_PASSWORD);
      expect(admin.ok).toBe(true);
      const dash = await request(p.webUrl, { path: '/dashboard', cookie: admin.jar.cookie });
      expect(dash.status).toBe(307);
      expect(dash.location).toMatch(/\/account\?enrol=1$/);
      const account = await request(p.webUrl, { path: '/account', cookie: admin.jar.cookie });
      expect(account.status).toBe(200);
      expect(account.body.includes('must sign in with a second factor')).toBe(true);
      const csv = await request(p.webUrl, { path: '/api/logs/export', cookie: admin.jar.cookie });
      expect(csv.status).toBe(403);
    } finally {
      expect((await cli(['unset', 'postern_console_second_factor_roles'])).code).toBe(0);
    }
  });

  it('logs forbidden pages and failed logins where admins and fail2ban see them', async () => {
    const carol = await consoleLogin(p.webUrl, '127.0.31.30', CAROL.address, CAROL.password);
    expect(carol.ok).toBe(true);
    const users = await request(p.webUrl, { path: '/users', localAddress: '127.0.31.30', cookie: carol.jar.cookie });
    expect(users.location).toMatch(/\/account\?denied=1$/);
    const forbidden = await db.deliveryEvent.findFirst({ where: { event: 'security.forbidden', saslUser: CAROL.address } });
    expect(forbidden?.clientAddress).toBe('127.0.31.30');
    expect(forbidden?.text).toMatch(/page \/users needs the admin role/);
    for (let i = 0; i < 3; i++) expect((await consoleLogin(p.webUrl, '127.0.31.31', CAROL.address, `wrong-${i}`)).ok).toBe(false);

    // Admins see them on the Security page, filtered by kind and account.
    const admin = await consoleLogin(p.webUrl, '127.0.31.32', 'admin@localhost', ADMIN_PASSWORD);
    const page = await request(p.webUrl, { path: `/security?kind=security.forbidden&account=${encodeURIComponent(CAROL.address)}`, cookie: admin.jar.cookie });
    expect(page.status).toBe(200);
    const rows = [...page.body.matchAll(/<tr [^>]*data-event="([^"]+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows)).toEqual(new Set(['security.forbidden']));
    const failed = await request(p.webUrl, { path: `/security?kind=auth.failed&account=${encodeURIComponent(CAROL.address)}&door=console`, cookie: admin.jar.cookie });
    expect([...failed.body.matchAll(/<tr [^>]*data-event="auth\.failed"/g)]).toHaveLength(3);

    const log = path.join(p.dataDir, 'log', 'console.log');
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/postern-console\[\d+\]: warning: forbidden: page \/users needs the admin role \(caller is user\) for carol@localhost from 127\.0\.31\.30/);
    const f2b = await run('fail2ban-regex', ['-v', log, path.resolve('contrib/fail2ban/filter.d/postern-console.conf')]);
    expect(f2b.code).toBe(0);
    // Every failed password and second factor of this file, and nothing else, is matched.
    const failures = text.split('\n').filter((l) => / (failed|throttled) for /.test(l)).length;
    expect(failures).toBeGreaterThanOrEqual(3 + 1 + 5 + 1);
    expect(f2b.stdout).toMatch(new RegExp(`Lines: \\d+ lines, 0 ignored, ${failures} matched`));
    // Matched hosts are listed as "|  HOST  date"; the forbidden page's client is not one.
    expect(f2b.stdout).toMatch(/\|\s+127\.0\.31\.31\s+[A-Z][a-z]{2} /);
    expect(f2b.stdout).not.toMatch(/\|\s+127\.0\.31\.30\s+[A-Z][a-z]{2} /);
  });
});
