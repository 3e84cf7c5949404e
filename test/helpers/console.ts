// Shared steps for console tests: fill and submit a form inside a titled card and wait for
// its status message; an SMTP AUTH attempt over a real TLS socket.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { SmtpProbe } from './smtp-probe';

export const submitIn = async (page: Page, cardTitle: string, fields: Record<string, string>, button: string) => {
  const card = page.getByRole('region', { name: cardTitle });
  const before = (await card.getByRole('status').first().textContent()) ?? '';
  for (const [label, value] of Object.entries(fields)) await card.getByLabel(label, { exact: true }).fill(value);
  await card.getByRole('button', { name: button }).click();
  await expect.poll(() => card.getByRole('status').first().textContent(), { timeout: 15_000 }).not.toBe(before);
  return (await card.getByRole('status').first().textContent()) ?? '';
};

/** SMTP AUTH as a mail client does it: over TLS, on the submissions port (implicit TLS). */
export const smtpAuth = async (port: number, user: string, pass: string, localAddress = '127.0.1.30') => {
  const { probe } = await SmtpProbe.connect(port, { localAddress, tls: true });
  await probe.cmd('EHLO e2e.example');
  const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
  probe.close();
  return r.code;
};
