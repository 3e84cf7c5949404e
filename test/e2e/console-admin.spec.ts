// The console's policy editors and operator views in Chromium, against the real `npm start`
// process (console and engine in one), each checked where a user would notice: over SMTP.
// SMTP settings reviewed (diff) then saved and announced in EHLO; a restriction list edited
// with an access table, enforced on the next transaction; an open relay refused at review;
// a rollback; a domain's DNS records and live check against a loopback DNS server; the wide
// network warning; disabling a user, and editing one (quota, password reset); the live tail
// and a message's story; a user's own activity; and an admin action replayed by a user,
// refused on the server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, login, screenshot } from '../helpers/browser';
import { smtpAuth, submitIn } from '../helpers/console';
import { startDnsServer } from '../helpers/dns-server';
import { SmtpProbe } from '../helpers/smtp-probe';
import { posternEnvArgs, startPostern, type RunningPostern } from '../helpers/start-postern';
import { run } from '../helpers/clients';
import { freePort } from '../helpers/ports';
import { until } from '../helpers/wait';

const USER = { address: 'dana@shop.example', password: 'dana-first-pass-1' };

const ehloSize = async (port: number) => {
  const { probe } = await SmtpProbe.connect(port, { localAddress: '127.0.7.1' });
  const r = await probe.cmd('EHLO e2e.example');
  probe.close();
  return /250[ -]SIZE (\d+)/.exec(r.text)?.[1];
};


describe.skipIf(!chromiumAvailable())('console: policy editors and operator views (Chromium)', () => {
  let p: RunningPostern;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let browser: Browser;
  let admin: Page;
  /** Runs a review then a save in the ReviewAndSave block of the current page. */
  const reviewAndSave = async (page: Page) => {
    await page.getByRole('button', { name: /^Review \d+ change/ }).click();
    await expect.poll(() => page.getByLabel('main.cf changes').count(), { timeout: 15_000 }).toBe(1);
    const diff = (await page.getByLabel('main.cf changes').textContent()) ?? '';
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByText(/^Saved /).count(), { timeout: 15_000 }).toBe(1);
    return diff;
  };

  beforeAll(async () => {
    dns = await startDnsServer({
      'shop.example': { MX: [[10, 'mx.shop.example']], TXT: ['v=spf1 mx -all'] },
      'mx.shop.example': { A: ['127.0.0.1'] },
    });
    p = await startPostern({ env: { POSTERN_DNS_SERVER: dns.server } });
    browser = await launchBrowser();
    admin = await browser.newPage();
    await login(admin, p.webUrl, 'admin@localhost', readFileSync(path.join(p.dataDir, 'initial-admin-password'), 'utf8').trim());
    await admin.waitForURL('**/dashboard');
    // The starting point, set up with the CLI (the console's own forms are tested elsewhere).
    const postern = (args: string[], input?: string) => run('env', posternEnvArgs(p.dataDir, args), input);
    expect((await postern(['domain', 'add', 'shop.example', '--local'])).code).toBe(0);
    expect((await postern(['user', 'add', USER.address, '--password-stdin'], `${USER.password}\n`)).code).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
    await dns?.close();
  });

  it('SMTP settings: reviewed as a main.cf diff, saved, and announced in EHLO at once', async () => {
    expect(await ehloSize(p.ports.smtp)).toBe('10240000');
    await admin.goto(`${p.webUrl}/settings`);
    await admin.getByLabel('message_size_limit').fill('5000000');
    await admin.getByLabel('myhostname').fill('mx.shop.example');
    const diff = await reviewAndSave(admin);
    expect(diff).toContain('+ message_size_limit = 5000000');
    expect(diff).toContain('+ myhostname = mx.shop.example');
    expect(await until(async () => (await ehloSize(p.ports.smtp)) === '5000000')).toBe(true);
    await screenshot(admin, 'settings');
    // A bad value is refused at review, with the reason, and cannot be saved.
    await admin.goto(`${p.webUrl}/settings`);
    await admin.getByLabel('smtpd_recipient_limit').fill('lots');
    await admin.getByRole('button', { name: /^Review 1 change/ }).click();
    await expect.poll(() => admin.getByText('This change would be refused:').count(), { timeout: 15_000 }).toBe(1);
    expect(await admin.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
  });

  it('restrictions: a sender access table added to a list is enforced on the next transaction', async () => {
    await admin.goto(`${p.webUrl}/restrictions`);
    expect(await submitIn(admin, 'Access tables', { Table: 'blocked', Key: 'spammer@bad.example', Action: 'REJECT go away' }, 'Add or change entry')).toContain('blocked: spammer@bad.example → REJECT go away');
    const list = admin.getByRole('region', { name: 'smtpd_sender_restrictions' });
    await list.getByLabel('Add to smtpd_sender_restrictions').selectOption('check_sender_access');
    await list.getByLabel('Access table name').fill('blocked');
    await list.getByRole('button', { name: 'Add' }).click();
    const diff = await reviewAndSave(admin);
    expect(diff).toContain('+ smtpd_sender_restrictions = check_sender_access blocked');
    await screenshot(admin, 'restrictions');
    const { probe } = await SmtpProbe.connect(p.ports.smtp, { localAddress: '127.0.7.2' });
    await probe.cmd('EHLO e2e.example');
    await probe.cmd('MAIL FROM:<spammer@bad.example>');
    expect((await probe.cmd(`RCPT TO:<${USER.address}>`)).text).toMatch(/^554 5\.7\.1 <spammer@bad\.example>: Sender address rejected: go away/);
    await probe.cmd('RSET');
    await probe.cmd('MAIL FROM:<friend@good.example>');
    expect((await probe.cmd(`RCPT TO:<${USER.address}>`)).code).toBe(250);
    probe.close();
  });

  it('restrictions: a draft that would make an open relay is refused at review, naming the list', async () => {
    await admin.goto(`${p.webUrl}/restrictions`);
    for (const list of ['smtpd_relay_restrictions', 'smtpd_recipient_restrictions']) {
      const region = admin.getByRole('region', { name: list });
      for (let i = 0; i < 10 && (await region.getByRole('button', { name: /^Remove reject_unauth_destination|^Remove defer_unauth_destination/ }).count()); i++) {
        await region.getByRole('button', { name: /^Remove reject_unauth_destination|^Remove defer_unauth_destination/ }).first().click();
      }
    }
    await admin.getByRole('button', { name: /^Review \d+ change/ }).click();
    await expect.poll(() => admin.getByText('This change would be refused:').count(), { timeout: 15_000 }).toBe(1);
    expect(await admin.getByText('This change would be refused:').locator('..').textContent()).toMatch(/reject_unauth_destination.*open relay/);
    expect(await admin.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
  });

  it("domains: the records to publish, and a live check of what DNS says", async () => {
    await admin.goto(`${p.webUrl}/domains/shop.example`);
    const snippet = (await admin.getByLabel('zone file snippet').textContent()) ?? '';
    expect(snippet).toContain('_dmarc.shop.example.');
    expect(snippet).toMatch(/shop\.example\.\t3600\tIN\tTXT\t"v=spf1 mx a:mx\.shop\.example -all"/);
    expect(snippet).toContain('_smtp._tls.shop.example.');
    const status = async (record: string) => (await admin.locator(`tr[data-check="${record}"]`).textContent()) ?? '';
    expect(await status('MX')).toMatch(/pass.*10 mx\.shop\.example/);
    expect(await status('SPF')).toMatch(/pass.*v=spf1 mx -all/);
    expect(await status('DMARC')).toMatch(/fail.*no DMARC record/);
    await screenshot(admin, 'domain-dns');
  });

  it('domains: a DKIM key is generated, rotated, and the new one signs once DNS serves it', async () => {
    await admin.goto(`${p.webUrl}/domains/shop.example`);
    const keys = admin.getByRole('region', { name: 'DKIM keys' });
    const rows = keys.locator('tr[data-selector]');
    const check = async (record: string) => (await admin.locator(`tr[data-check="${record}"]`).textContent()) ?? '';
    await keys.getByRole('button', { name: 'Generate a key' }).click();
    await expect.poll(() => keys.getByText(/^Signing now with \S+\. Publish: \S+\._domainkey\.shop\.example\. TXT "v=DKIM1; k=rsa; p=/).count(), { timeout: 15_000 }).toBe(1);
    await admin.reload();
    expect(await rows.count()).toBe(1);
    const first = (await rows.first().getAttribute('data-selector'))!;
    expect(await rows.first().textContent()).toContain('active');
    expect(await check(`DKIM ${first} (active)`)).toMatch(/fail.*no TXT record/);
    await keys.getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => keys.getByText(/^New key\(s\) /).count(), { timeout: 15_000 }).toBe(1);
    await admin.reload();
    const pending = rows.filter({ hasText: 'pending' });
    const second = (await pending.getAttribute('data-selector'))!;
    // Not in DNS yet: activation is refused, with the reason.
    await pending.getByRole('button', { name: 'Activate (checks DNS)' }).click();
    await expect.poll(() => pending.getByText(/DNS does not serve this key/).count(), { timeout: 15_000 }).toBe(1);
    // Published as the page's zone snippet says: activated; the first key retires.
    const line = ((await admin.getByLabel('zone file snippet').textContent()) ?? '').split('\n').find((l) => l.startsWith(`${second}._domainkey.shop.example.`))!;
    dns.set(`${second}._domainkey.shop.example`, { TXT: [[...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')] });
    await admin.reload();
    expect(await check(`DKIM ${second} (pending)`)).toMatch(/pass/);
    await rows.filter({ hasText: 'pending' }).getByRole('button', { name: 'Activate (checks DNS)' }).click();
    await expect.poll(async () => (await rows.filter({ hasText: 'retiring' }).getAttribute('data-selector').catch(() => null)) === first, { timeout: 15_000 }).toBe(true);
    expect(await rows.filter({ hasText: 'active' }).getAttribute('data-selector')).toBe(second);
    await screenshot(admin, 'domain-dkim');
  });

  it('policy: a pasted message is run through the checks on arrival, with the decision and the results', async () => {
    await admin.goto(`${p.webUrl}/policy`);
    const card = admin.getByRole('region', { name: 'Message checks' });
    await card.getByLabel(/^Message/).fill('From: <a@shop.example>\nTo: <b@example.org>\nSubject: pasted\n\nHello.\n');
    await card.getByLabel('MAIL FROM').fill('a@shop.example');
    await card.getByRole('button', { name: 'Check the message' }).click();
    await expect.poll(async () => (await card.textContent()) ?? '', { timeout: 15_000 }).toMatch(/spf=\w+ \(shop\.example\) dkim=none dmarc=none/);
    const text = (await card.textContent()) ?? '';
    expect(text).toMatch(/accepted; decision: accept/);
    expect(text).toMatch(/Authentication-Results: [\w.-]+;/);
  });

  it('policy: a main.cf dry run keeps the pasted text, and one over the limit is refused with the limit', async () => {
    await admin.goto(`${p.webUrl}/policy`);
    const card = admin.getByRole('region', { name: 'Import a Postfix main.cf' });
    const pasted = 'mynetworks = 192.0.2.0/24\nmessage_size_limit = 20480000\n';
    await card.getByLabel('Paste main.cf').fill(pasted);
    admin.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Import' }).click();
    await expect.poll(async () => (await card.textContent()) ?? '', { timeout: 15_000 }).toMatch(/Dry run: would import 2 parameters/);
    expect(await card.getByLabel('Paste main.cf').inputValue()).toBe(pasted);
    await card.getByLabel('Paste main.cf').fill(`# ${'x'.repeat(270_000)}\n`);
    expect(await card.getByRole('alert').textContent()).toMatch(/270,003 characters: the limit is 262,144\./);
  });

  it('policy: a revision is rolled back and the engine follows', async () => {
    await admin.goto(`${p.webUrl}/policy`);
    await screenshot(admin, 'policy-history');
    // The revision before the settings change still had the default size limit.
    const changed = admin.locator('li[data-revision]').filter({ hasText: 'set 2 parameters (message_size_limit, myhostname)' });
    const id = Number(await changed.getAttribute('data-revision'));
    expect(await changed.getByText('changes to main.cf').count()).toBe(1);
    admin.once('dialog', (d) => void d.accept());
    await admin.locator(`li[data-revision="${id - 1}"]`).getByRole('button', { name: `Roll back to #${id - 1}` }).click();
    await expect.poll(() => admin.getByText(`Restored revision ${id - 1}`).count(), { timeout: 15_000 }).toBe(1);
    expect(await until(async () => (await ehloSize(p.ports.smtp)) === '10240000')).toBe(true);
  });

  it('networks: a very wide network needs an explicit confirmation', async () => {
    await admin.goto(`${p.webUrl}/networks`);
    const refused = await submitIn(admin, 'Add a network', { 'Network (CIDR)': '10.0.0.0/8' }, 'Trust network');
    expect(refused).toMatch(/16,777,216 addresses/);
    await admin.getByRole('region', { name: 'Add a network' }).getByRole('checkbox').check();
    expect(await submitIn(admin, 'Add a network', { 'Network (CIDR)': '10.0.0.0/8' }, 'Trust network')).toContain('Now trusting 10.0.0.0/8');
  });

  it('users: a disabled user can no longer log in over SMTP; enabled again, they can', async () => {
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password)).toBe(235);
    await admin.goto(`${p.webUrl}/users?q=dana`);
    admin.once('dialog', (d) => void d.accept());
    await admin.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => admin.getByText(`${USER.address} saved.`).count(), { timeout: 15_000 }).toBe(1);
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password, '127.0.7.3')).toBe(535);
    await admin.goto(`${p.webUrl}/users?q=dana`);
    await admin.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => admin.getByText(`${USER.address} saved.`).count(), { timeout: 15_000 }).toBe(1);
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password, '127.0.7.4')).toBe(235);
  });

  it("users: a row's Edit sets a quota, and resets a password that SMTP AUTH takes at once", async () => {
    await admin.goto(`${p.webUrl}/users?q=dana`);
    const row = admin.getByRole('row', { name: new RegExp(USER.address) });
    // The forms are rendered when the disclosure opens, not with every row of the page.
    expect(await row.getByLabel(`New password for ${USER.address}`).count()).toBe(0);
    await row.getByText('Edit', { exact: true }).click();
    await row.getByLabel('Quota (MB, 0 = none)').fill('25');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByText('25 MB').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(admin, 'users-edit');

    const reset = async (password: string) => {
      await row.getByLabel(`New password for ${USER.address}`).fill(password);
      await row.getByRole('button', { name: 'Reset password' }).click();
      await expect.poll(() => row.getByText(`Password of ${USER.address} reset`).count(), { timeout: 15_000 }).toBe(1);
    };
    await reset('dana-second-pass-2');
    expect(await smtpAuth(p.ports.smtps, USER.address, 'dana-second-pass-2', '127.0.7.7')).toBe(235);
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password, '127.0.7.8')).toBe(535);
    await admin.reload();
    await row.getByText('Edit', { exact: true }).click();
    await reset(USER.password);
    expect(await smtpAuth(p.ports.smtps, USER.address, USER.password, '127.0.7.9')).toBe(235);
  });

  it("logs: the live tail shows a new message as it happens, and its story page tells the whole of it", async () => {
    await admin.goto(`${p.webUrl}/logs`);
    await expect.poll(() => admin.getByText('● live').count(), { timeout: 15_000 }).toBe(1);
    const { probe } = await SmtpProbe.connect(p.ports.smtp, { localAddress: '127.0.7.5' });
    await probe.cmd('EHLO e2e.example');
    await probe.cmd('MAIL FROM:<tail@example.org>');
    await probe.cmd(`RCPT TO:<${USER.address}>`);
    await probe.cmd('DATA');
    const queued = await probe.cmd('Subject: tail me\r\n\r\nhello\r\n.');
    probe.close();
    const queueId = /queued as ([0-9A-F]+)/.exec(queued.text)?.[1];
    expect(queueId).toBeTruthy();
    const live = admin.getByLabel('live events');
    await expect.poll(() => live.locator('tr[data-event="delivery.sent"]').filter({ hasText: USER.address }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot(admin, 'logs-live');
    await live.getByRole('link', { name: queueId! }).first().click();
    await admin.waitForURL(`**/logs/${queueId}`);
    const timeline = (await admin.getByLabel('timeline', { exact: true }).textContent()) ?? '';
    expect(timeline).toContain('message.accepted');
    expect(timeline).toMatch(/delivery\.sent.*to dana@shop\.example/);
    expect(await admin.getByRole('region', { name: 'Summary' }).textContent()).toMatch(/dana@shop\.example: sent/);
    await screenshot(admin, 'message-story');
  });

  it('queue: a deferred message shows its last error and is held, released and deleted', async () => {
    const closed = await freePort();
    const postern = (args: string[]) => run('env', posternEnvArgs(p.dataDir, args));
    expect((await postern(['set', `relayhost=[127.0.0.1]:${closed}`, 'smtp_tls_security_level=none'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const { probe } = await SmtpProbe.connect(p.ports.smtps, { localAddress: '127.0.7.6', tls: true });
    await probe.cmd('EHLO e2e.example');
    // Logged in (over TLS, as a mail client does), so relaying is allowed whatever mynetworks holds by now.
    expect((await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${USER.address}\0${USER.password}`).toString('base64')}`)).code).toBe(235);
    await probe.cmd('MAIL FROM:<stuck@example.org>');
    await probe.cmd('RCPT TO:<far@example.net>');
    await probe.cmd('DATA');
    const queueId = /queued as ([0-9A-F]+)/.exec((await probe.cmd('Subject: stuck\r\n\r\nx\r\n.')).text)?.[1];
    probe.close();
    expect(queueId).toBeTruthy();
    const item = () => admin.getByRole('listitem').filter({ hasText: queueId! });
    await expect
      .poll(async () => {
        await admin.goto(`${p.webUrl}/queue`);
        return (await item().textContent()) ?? '';
      }, { timeout: 15_000 })
      .toMatch(/deferred, 1 attempts: connect to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: Connection refused/);
    await screenshot(admin, 'queue');
    await item().getByRole('button', { name: 'hold' }).click();
    await expect.poll(() => admin.getByText(`${queueId} is on hold.`).count(), { timeout: 15_000 }).toBe(1);
    await admin.goto(`${p.webUrl}/queue`);
    expect(await item().textContent()).toContain('on hold');
    await item().getByRole('button', { name: 'release' }).click();
    await expect.poll(() => admin.getByText(`${queueId} released`).count(), { timeout: 15_000 }).toBe(1);
    await admin.goto(`${p.webUrl}/queue`);
    admin.once('dialog', (d) => void d.accept());
    await item().getByRole('button', { name: 'delete' }).click();
    await expect.poll(() => admin.getByText(`${queueId} deleted.`).count(), { timeout: 15_000 }).toBe(1);
    expect((await postern(['queue'])).stdout).not.toContain(queueId!);
    expect((await postern(['unset', 'relayhost', 'smtp_tls_security_level'])).code).toBe(0);
  });

  it('dashboard: traffic chart and counts', async () => {
    await admin.goto(`${p.webUrl}/dashboard`);
    expect(await admin.getByRole('img', { name: 'Messages per hour, last 24 hours' }).count()).toBe(1);
    expect(Number(await admin.locator('[data-stat="accepted"]').textContent())).toBeGreaterThan(0);
    await screenshot(admin, 'dashboard');
  });

  it('a user sees their own mail activity, and an admin action they replay is refused on the server', async () => {
    // Capture a real admin action request (deleting a domain), without letting it run.
    await admin.goto(`${p.webUrl}/domains`);
    expect(await submitIn(admin, 'Add a domain', { 'Domain name': 'victim.example' }, 'Add domain')).toContain('Added victim.example');
    let captured: { url: string; headers: Record<string, string>; body: Buffer } | undefined;
    await admin.route('**/domains', async (route) => {
      const req = route.request();
      if (req.method() === 'POST' && req.headers()['next-action'] && (req.postData() ?? '').includes('"')) {
        captured = { url: req.url(), headers: req.headers(), body: req.postDataBuffer()! };
        return route.abort();
      }
      return route.continue();
    });
    admin.once('dialog', (d) => void d.accept());
    const row = admin.getByRole('row').filter({ hasText: 'victim.example' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => captured !== undefined, { timeout: 15_000 }).toBe(true);
    await admin.unrouteAll({ behavior: 'ignoreErrors' });

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, p.webUrl, USER.address, USER.password);
    await page.waitForURL('**/account');
    const activity = (await page.getByRole('region', { name: 'Recent mail activity' }).textContent()) ?? '';
    expect(activity).toContain('tail@example.org');
    await screenshot(page, 'account-activity');
    const { ['content-length']: _len, cookie: _cookie, ...headers } = captured!.headers;
    const res = await page.request.post(captured!.url, { headers, data: captured!.body });
    expect(await res.text()).toContain('This needs the admin role');
    await ctx.close();
    await admin.goto(`${p.webUrl}/domains`);
    expect(await admin.getByRole('link', { name: 'victim.example', exact: true }).count()).toBe(1);
  });
});
