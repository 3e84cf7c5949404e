// Two-factor sign-in in Chromium, as a user would set it up: an authenticator app (the QR
// code's key read off the page, codes made by otplib), then a passkey on Chromium's virtual
// authenticator (DevTools protocol, WebAuthn domain); signing in again with each; and an app
// password made on the account page that SMTP AUTH takes while the main password is refused.
import type { Browser, Page } from 'playwright-core';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, login, screenshot } from '../helpers/browser';
import { smtpAuth } from '../helpers/console';
import { posternEnvArgs, startPostern, type RunningPostern } from '../helpers/start-postern';
import { run } from '../helpers/clients';

const ERIN = { address: 'erin@localhost', password: 'erins-long-password-7' };

describe.skipIf(!chromiumAvailable())('two-factor sign-in (Chromium)', () => {
  let p: RunningPostern;
  let browser: Browser;
  let page: Page;
  let base = '';
  let secret = '';
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
  };

  beforeAll(async () => {
    p = await startPostern();
    // WebAuthn needs a domain for its relying party: the console as http://localhost:PORT.
    base = p.webUrl.replace('127.0.0.1', 'localhost');
    expect((await run('env', posternEnvArgs(p.dataDir, ['user', 'add', ERIN.address, '--password-stdin']), `${ERIN.password}\n`)).code).toBe(0);
    browser = await launchBrowser();
    page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
  });

  it('sets up an authenticator app from the account page and gets recovery codes', async () => {
    await login(page, base, ERIN.address, ERIN.password);
    await page.waitForURL('**/account');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const form = page.getByRole('form', { name: 'authenticator app set-up' });
    secret = ((await form.getByTestId('totp-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await form.locator('svg').count()).toBe(1); // the QR code
    // A wrong code first: refused next to the field, and the password typed is kept.
    await form.getByLabel('The 6-digit code the app shows').fill('000000');
    await form.getByLabel('Your current password').fill(ERIN.password);
    await form.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => form.getByText('That code is not right', { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    await form.getByLabel('The 6-digit code the app shows').fill(await generate({ secret }));
    await form.getByLabel('Your current password').fill(ERIN.password);
    await form.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('region', { name: 'Recovery codes' });
    await expect.poll(() => codes.locator('li').count(), { timeout: 15_000 }).toBe(10);
    await screenshot(page, 'two-factor-recovery-codes');
  });

  it('registers a passkey with the virtual authenticator', async () => {
    await page.goto(`${base}/account`);
    await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
    const form = page.getByRole('form', { name: 'security key set-up' });
    await form.getByLabel('Name of the key').fill('Virtual key');
    await form.getByLabel('Your current password').fill(ERIN.password);
    await form.getByRole('button', { name: 'Save the key' }).click();
    await expect.poll(() => page.getByText(/^Security key added/).count(), { timeout: 15_000 }).toBe(1);
    await page.goto(`${base}/account`);
    expect(await page.getByRole('list', { name: 'second factors' }).getByText('Security key: Virtual key').count()).toBe(1);
  });

  it('signs in with the passkey, and with a code from the app', async () => {
    await signOut();
    await login(page, base, ERIN.address, ERIN.password);
    await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
    await page.waitForURL('**/account', { timeout: 15_000 });
    await signOut();
    await login(page, base, ERIN.address, ERIN.password);
    const second = page.getByRole('form', { name: 'second factor' });
    await second.getByLabel(/Code from your authenticator app/).fill('123456');
    await second.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByText('That code or key was not accepted. Try again.').count(), { timeout: 15_000 }).toBe(1);
    // The enrolment used this time step; the next one's code is accepted (RFC 6238 allows a step of skew).
    await second.getByLabel(/Code from your authenticator app/).fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await second.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/account', { timeout: 15_000 });
  });

  it('makes an app password that SMTP AUTH accepts while the main password is refused', async () => {
    const form = page.getByRole('form', { name: 'new app password' });
    await form.getByLabel('Name of the new app password').fill('Phone');
    await form.getByLabel('Your current password').fill(ERIN.password);
    await form.getByRole('button', { name: 'Create app password' }).click();
    const shown = page.getByRole('region', { name: 'App password for Phone' });
    await expect.poll(() => shown.locator('li').count(), { timeout: 15_000 }).toBe(1);
    const appPassword = ((await shown.locator('li').textContent()) ?? '').trim();
    expect(await smtpAuth(p.ports.smtps, ERIN.address, appPassword, '127.0.32.1')).toBe(235);
    expect(await smtpAuth(p.ports.smtps, ERIN.address, ERIN.password, '127.0.32.1')).toBe(535);
    await page.goto(`${base}/account`);
    const row = page.getByRole('table', { name: 'app passwords' }).getByRole('row', { name: /Phone/ });
    expect(await row.textContent()).toContain('from 127.0.32.1');
    await row.getByRole('button', { name: 'Revoke Phone' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'app passwords' }).count(), { timeout: 15_000 }).toBe(0);
    expect(await smtpAuth(p.ports.smtps, ERIN.address, appPassword, '127.0.32.1')).toBe(535);
  });
});
