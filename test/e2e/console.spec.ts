// End-to-end console flows in Chromium against the real `npm start` process: an admin adds a
// domain, a network and a user; the user changes their password and SMTP AUTH follows at
// once; the new network relays on its next transaction; an operator finds the log entry by
// recipient; a user cannot reach admin pages or operator APIs. Screenshots of each page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, login, screenshot } from '../helpers/browser';
import { smtpAuth, submitIn } from '../helpers/console';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startPostern, type RunningPostern } from '../helpers/start-postern';

const USER = { address: 'carol@shop.example', password: 'carol-first-pass-1', next: 'carol-second-pass-2' };
const OPERATOR = { address: 'olive@shop.example', password: 'olive-operator-pw-1' };

describe.skipIf(!chromiumAvailable())('console flows (Chromium)', () => {
  let p: RunningPostern;
  let browser: Browser;
  let admin: Page;
  beforeAll(async () => {
    p = await startPostern();
    browser = await launchBrowser();
    admin = await browser.newPage();
    await login(admin, p.webUrl, 'admin@localhost', readFileSync(path.join(p.dataDir, 'initial-admin-password'), 'utf8').trim());
    await admin.waitForURL('**/dashboard');
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
  });

  it('admin adds a local domain', async () => {
    await admin.goto(`${p.webUrl}/domains`);
    const msg = await submitIn(admin, 'Add a domain', { 'Domain name': 'shop.example' }, 'Add domain');
    expect(msg).toContain('Added shop.example');
    await expect.poll(() => admin.getByRole('cell', { name: 'shop.example', exact: true }).count()).toBe(1);
    await screenshot(admin, 'domains');
  });

  it('admin adds a trusted network and a client in it relays on its next transaction', async () => {
    const { probe } = await SmtpProbe.connect(p.ports.smtp, { localAddress: '127.0.1.77' });
    await probe.cmd('EHLO e2e.example');
    await probe.cmd('MAIL FROM:<a@b.org>');
    expect((await probe.cmd('RCPT TO:<x@example.org>')).code).toBe(554);
    await admin.goto(`${p.webUrl}/networks`);
    expect(await submitIn(admin, 'Add a network', { 'Network (CIDR)': '127.0.1.77/32' }, 'Trust network')).toContain('Now trusting 127.0.1.77');
    const wide = await submitIn(admin, 'Add a network', { 'Network (CIDR)': '0.0.0.0/0' }, 'Trust network');
    expect(wide).toMatch(/open relay/);
    await screenshot(admin, 'networks');
    let code = 0;
    for (let i = 0; i < 20 && code !== 250; i++) {
      await probe.cmd('RSET');
      await probe.cmd('MAIL FROM:<a@b.org>');
      code = (await probe.cmd('RCPT TO:<x@example.org>')).code;
      if (code !== 250) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(250);
    probe.close();
  });

  it('admin creates a mailbox user and an operator', async () => {
    await admin.goto(`${p.webUrl}/users`);
    expect(await submitIn(admin, 'Create a user', { Address: USER.address, Password: USER.password }, 'Create user')).toContain(`Created ${USER.address}`);
    const card = admin.getByRole('region', { name: 'Create a user' });
    await card.getByLabel('Role').selectOption('OPERATOR');
    expect(await submitIn(admin, 'Create a user', { Address: OPERATOR.address, Password: OPERATOR.password }, 'Create user')).toContain(`Created ${OPERATOR.address}`);
    await screenshot(admin, 'users');
  });

  it('the user changes their password; SMTP AUTH takes the new one at once and refuses the old', async () => {
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password)).toBe(235);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, p.webUrl, USER.address, USER.password);
    await page.waitForURL('**/account');
    const form = page.getByRole('form', { name: 'change password' });
    await form.getByLabel('Current password').fill(USER.password);
    await form.getByLabel('New password', { exact: true }).fill(USER.next);
    await form.getByLabel('Repeat the new password').fill(USER.next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByText('Password changed.').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'account');
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.next)).toBe(235);
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password)).toBe(535);
    // The session signed in with the old password is over.
    await page.goto(`${p.webUrl}/account`);
    expect(page.url()).toContain('/login');
    await ctx.close();
  });

  it('a user cannot open admin pages or operator APIs, even by direct request', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, p.webUrl, USER.address, USER.next);
    await page.waitForURL('**/account');
    for (const path of ['/domains', '/users', '/networks', '/audit', '/dashboard', '/logs']) {
      await page.goto(`${p.webUrl}${path}`);
      expect(page.url(), path).toMatch(/\/account\?denied=1$/);
    }
    const res = await page.request.get(`${p.webUrl}/api/logs/export`);
    expect(res.status()).toBe(403);
    const anon = await fetch(`${p.webUrl}/api/logs/export`);
    expect(anon.status).toBe(401);
    await ctx.close();
  });

  it('an operator finds the relay decision by recipient, with its trace, escaped', async () => {
    // A hostile HELO name must show as text.
    const { probe } = await SmtpProbe.connect(p.ports.smtp, { localAddress: '127.0.1.99' });
    await probe.cmd('EHLO <script>alert(1)</script>');
    await probe.cmd('MAIL FROM:<a@b.org>');
    await probe.cmd('RCPT TO:<findme@example.org>');
    probe.close();
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, p.webUrl, OPERATOR.address, OPERATOR.password);
    await page.waitForURL('**/dashboard');
    let rows = 0;
    // The log row is written by the batched sink: give it time on a loaded machine (15 s).
    for (let i = 0; i < 50 && !rows; i++) {
      await page.goto(`${p.webUrl}/logs?recipient=findme@example.org`);
      rows = await page.locator('tr[data-event="smtp.rejected"]').count();
      if (!rows) await new Promise((r) => setTimeout(r, 300));
    }
    expect(rows).toBe(1);
    const row = page.locator('tr[data-event="smtp.rejected"]');
    expect(await row.textContent()).toContain('554 5.7.1 <findme@example.org>: Relay access denied');
    await row.getByText('why').click();
    expect(await row.textContent()).toContain('example.org is not a local or relay domain');
    expect(await page.getByRole('cell', { name: '<script>alert(1)</script>' }).count()).toBe(1);
    await screenshot(page, 'logs');
    await page.goto(`${p.webUrl}/policy`);
    await screenshot(page, 'policy');
    await page.goto(`${p.webUrl}/queue`);
    await screenshot(page, 'queue');
    await ctx.close();
  });
});
