// Console sessions end on the server, over real HTTP: after sign-out a copied cookie is
// refused everywhere (pages and /api/auth/session, which no longer extends it); a password
// change ends the user's other sessions; an admin ends a user's sessions; and a session
// unused for postern_console_idle_timeout is over. And server actions without the console's
// own Origin are refused before they reach Next.js (which lets a missing Origin through).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { endSessions } from '../../server/services/auth/console-sessions';
import { run } from '../helpers/clients';
import { consoleLogin, consoleLogout, request, sessionOf } from '../helpers/console-http';
import { posternEnvArgs, startPostern, type RunningPostern } from '../helpers/start-postern';
import { createPrismaClient, type Db } from '../../prisma/client';
import { sleep } from '../helpers/wait';

const PASSWORD = 'session-admin-password-1';

describe('console sessions', () => {
  let p: RunningPostern;
  let db: Db;
  const cli = (args: string[], input?: string) => run('env', posternEnvArgs(p.dataDir, args), input);
  beforeAll(async () => {
    p = await startPostern({ env: { POSTERN_ADMIN_PASSWORD: PASSWORD } });
    db = await createPrismaClient(`file:${p.dataDir}/postern.db`);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await p?.stop();
  });

  const dashboard = async (cookie: string) => (await request(p.webUrl, { path: '/dashboard', cookie })).status;

  it('refuses a signed-out session everywhere, even with a copy of its cookie', async () => {
    const a = await consoleLogin(p.webUrl, '127.0.21.1', 'admin@localhost', PASSWORD);
    const b = await consoleLogin(p.webUrl, '127.0.21.2', 'admin@localhost', PASSWORD);
    expect(a.ok && b.ok).toBe(true);
    expect(await sessionOf(p.webUrl, a.jar)).toBe('admin@localhost');
    expect(await dashboard(a.jar.cookie)).toBe(200);
    const copy = { ...a.jar };
    await consoleLogout(p.webUrl, a.jar);
    expect(await sessionOf(p.webUrl, copy)).toBeNull();
    expect(await dashboard(copy.cookie)).toBe(307);
    // The other session goes on.
    expect(await sessionOf(p.webUrl, b.jar)).toBe('admin@localhost');
  });

  it('ends the other sessions when the password changes, and when an admin ends them', async () => {
    const a = await consoleLogin(p.webUrl, '127.0.21.3', 'admin@localhost', PASSWORD);
    expect(await sessionOf(p.webUrl, a.jar)).toBe('admin@localhost');
    const revisions = await db.policyRevision.count();
    expect((await cli(['user', 'passwd', 'admin@localhost'], `${PASSWORD}-2\n`)).code).toBe(0);
    // An account chore, not a policy change: audited, but no revision buries the policy's history.
    expect(await db.policyRevision.count()).toBe(revisions);
    expect(await db.auditEntry.count({ where: { action: 'user.password', entityId: 'admin@localhost' } })).toBe(1);
    expect(await sessionOf(p.webUrl, a.jar)).toBeNull();
    const b = await consoleLogin(p.webUrl, '127.0.21.3', 'admin@localhost', `${PASSWORD}-2`);
    expect(await sessionOf(p.webUrl, b.jar)).toBe('admin@localhost');
    expect(await endSessions(db, CLI_ACTOR, { userAddress: 'admin@localhost' })).toBeGreaterThan(0);
    expect(await sessionOf(p.webUrl, b.jar)).toBeNull();
    expect(await dashboard(b.jar.cookie)).toBe(307);
  });

  it('ends a session left unused for postern_console_idle_timeout', async () => {
    expect((await cli(['set', 'postern_console_idle_timeout=3s'])).code).toBe(0);
    await sleep(10_500); // the console reads the lifetimes at most every 10 s
    const a = await consoleLogin(p.webUrl, '127.0.21.4', 'admin@localhost', `${PASSWORD}-2`);
    expect(await sessionOf(p.webUrl, a.jar)).toBe('admin@localhost');
    await sleep(1500);
    expect(await sessionOf(p.webUrl, a.jar)).toBe('admin@localhost'); // in use: still open
    await sleep(3500);
    expect(await sessionOf(p.webUrl, a.jar)).toBeNull();
    expect((await cli(['unset', 'postern_console_idle_timeout'])).code).toBe(0);
  });

  it('refuses a server action whose Origin is missing or foreign', async () => {
    const action = (headers: Record<string, string>) => request(p.webUrl, { path: '/login', method: 'POST', headers: { 'next-action': '0123456789abcdef', 'content-type': 'text/plain;charset=UTF-8', ...headers } });
    const none = await action({});
    expect(none.status).toBe(403);
    expect(none.body).toMatch(/without an Origin header/);
    expect((await action({ origin: 'http://evil.example' })).status).toBe(403);
    // A form posted without JavaScript stands for an action too.
    expect((await request(p.webUrl, { path: '/login', form: { $ACTION_ID_0123: '' } })).status).toBe(403);
    // The console's own origin gets through to Next.js (which then finds no such action).
    expect((await action({ origin: p.webUrl })).status).not.toBe(403);
  });
});
