// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireCommand } from './env';
import { ROOT } from './start-postern';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = () => requireCommand(CHROMIUM);

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

export const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

export const login = async (page: Page, baseUrl: string, address: string, password: string) => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Address').fill(address);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

