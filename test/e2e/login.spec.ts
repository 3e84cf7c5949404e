// The first admin signs in through a real Chromium with the password Postern generated on
// first start, and lands on the dashboard; a wrong password shows one generic error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, login, screenshot } from '../helpers/browser';
import { startPostern, type RunningPostern } from '../helpers/start-postern';

describe.skipIf(!chromiumAvailable())('console login (Chromium)', () => {
  let postern: RunningPostern;
  let browser: Browser;
  beforeAll(async () => {
    postern = await startPostern();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await postern?.stop();
  });

  it('refuses a wrong password with a message that does not say whether the user exists', async () => {
    const page = await browser.newPage();
    await login(page, postern.webUrl, 'admin@localhost', 'not-the-password');
    await expect.poll(() => page.getByText('Wrong address or password.').count()).toBe(1);
    await login(page, postern.webUrl, 'nobody@localhost', 'not-the-password');
    await expect.poll(() => page.getByText('Wrong address or password.').count()).toBe(1);
    expect(page.url()).toContain('/login');
    // The address typed stays; only the password is asked again.
    expect(await page.getByLabel('Address').inputValue()).toBe('nobody@localhost');
    await page.close();
  });

  it('brings the user back to the page they asked for after signing in', async () => {
    const password = readFileSync(path.join(postern.dataDir, 'initial-admin-password'), 'utf8').trim();
    const page = await browser.newPage();
    await page.goto(`${postern.webUrl}/logs?status=rejected`);
    await page.waitForURL('**/login?next=*');
    await page.getByLabel('Address').fill('admin@localhost');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/logs?status=rejected');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Delivery log');
    await page.close();
  });

  it('signs the first admin in with the generated password and shows the dashboard', async () => {
    const password = readFileSync(path.join(postern.dataDir, 'initial-admin-password'), 'utf8').trim();
    const page = await browser.newPage();
    await login(page, postern.webUrl, 'admin@localhost', password);
    await page.waitForURL('**/dashboard');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    expect(await page.getByText('admin@localhost').first().isVisible()).toBe(true);
    // The engine in the same process reported its listeners and is on the latest revision.
    await expect.poll(async () => page.reload().then(() => page.getByText(/live \(revision \d+\)/).count()), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot(page, 'dashboard');
    await page.close();
  });

  it('serves every page under a nonce-based Content-Security-Policy that Chromium enforces without a violation', async () => {
    const first = await fetch(`${postern.webUrl}/login`);
    const second = await fetch(`${postern.webUrl}/login`);
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    const nonce = (h: string) => /'nonce-([^']+)'/.exec(h)?.[1];
    expect(nonce(csp)).not.toBe(nonce(second.headers.get('content-security-policy') ?? ''));
    // The page's scripts carry the nonce, and nothing is refused: the form works.
    const html = await second.text();
    expect(html).toContain(`nonce="${nonce(second.headers.get('content-security-policy') ?? '')}"`);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const password = readFileSync(path.join(postern.dataDir, 'initial-admin-password'), 'utf8').trim();
    await login(page, postern.webUrl, 'admin@localhost', password);
    await page.waitForURL('**/dashboard');
    for (const path of ['/users', '/policy', '/logs', '/settings']) {
      await page.goto(`${postern.webUrl}${path}`);
      await page.waitForLoadState('networkidle');
    }
    expect(violations).toEqual([]);
    await page.close();
  });
});
