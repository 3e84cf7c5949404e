// The console's login, attacked as a stranger would, over real sockets from several loopback
// addresses: a forged X-Forwarded-For buys no fresh address (the socket's counts, unless it is
// a proxy in POSTERN_TRUSTED_PROXIES), and SMTP AUTH and the console share one budget — a
// client refused on one is refused on the other — while the user, from an address that did
// not fail, signs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpAuth } from '../helpers/console';
import { consoleLogin, request } from '../helpers/console-http';
import { startPostern, type RunningPostern } from '../helpers/start-postern';

const PASSWORD = 'console-admin-password-1';

describe('console login throttling', () => {
  let p: RunningPostern;
  beforeAll(async () => {
    p = await startPostern({ env: { POSTERN_ADMIN_PASSWORD: PASSWORD } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('counts the socket address, whatever X-Forwarded-For claims', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await consoleLogin(p.webUrl, '127.0.14.1', 'admin@localhost', `guess-${i}`, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      expect(r.ok).toBe(false);
    }
    const refused = await consoleLogin(p.webUrl, '127.0.14.1', 'admin@localhost', PASSWORD, { 'x-forwarded-for': '198.51.100.99' });
    expect(refused.ok).toBe(false);
    expect(refused.location).toMatch(/code=throttled/);
    // The admin, from an address that did not fail: signed in at once.
    expect((await consoleLogin(p.webUrl, '127.0.14.2', 'admin@localhost', PASSWORD)).ok).toBe(true);
  });

  it('redirects to the console itself after sign-in and sign-out, whatever X-Forwarded-Host claims', async () => {
    const forged = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const r = await consoleLogin(p.webUrl, '127.0.14.3', 'admin@localhost', PASSWORD, forged);
    expect(r.ok).toBe(true);
    // Back to the console as it was reached: plain HTTP on its own port (a forged proto made it https).
    expect(r.location).toMatch(new RegExp(`^http://(localhost|127\\.0\\.0\\.1):${p.ports.web}(/|$)`));
    const out = await request(p.webUrl, { path: '/api/auth/signout', localAddress: '127.0.14.3', cookie: r.jar.cookie, headers: forged });
    expect(out.body).not.toContain('evil.example');
    expect(out.location).not.toContain('evil.example');
  });

  it('shares one budget with SMTP AUTH: a client refused on one door is refused on the other', async () => {
    for (let i = 0; i < 5; i++) expect(await smtpAuth(p.ports.smtps, 'admin@localhost', `guess-${i}`, '127.0.14.3')).toBe(535);
    // The engine's failures reach the database with its next log batch.
    let r = await consoleLogin(p.webUrl, '127.0.14.3', 'admin@localhost', PASSWORD);
    for (let i = 0; i < 20 && !/code=throttled/.test(r.location); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await consoleLogin(p.webUrl, '127.0.14.3', 'admin@localhost', PASSWORD);
    }
    expect(r.location).toMatch(/code=throttled/);
    // And the other way: console failures close SMTP AUTH to that client.
    for (let i = 0; i < 5; i++) expect((await consoleLogin(p.webUrl, '127.0.14.4', 'admin@localhost', `guess-${i}`)).ok).toBe(false);
    expect(await smtpAuth(p.ports.smtps, 'admin@localhost', PASSWORD, '127.0.14.4')).toBe(454);
    expect(await smtpAuth(p.ports.smtps, 'admin@localhost', PASSWORD, '127.0.14.5')).toBe(235);
  });
});
