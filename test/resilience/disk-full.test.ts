// A full disk, for real: the data directory on a small tmpfs (mounted here; the tests run as
// root, as CI does). Below queue_minfree or 1.5 x message_size_limit a new transaction is
// refused at MAIL FROM with Postfix's 452 4.3.1; a message that does not fit after all is
// 451 4.3.0 with no partial file in the Maildir; mail.log lines written while the disk is
// full are kept and appear once there is room; and mail flows again by itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maildirFor, mailRootOf } from '../../mail-engine/delivery/deliver-maildir';
import { CLI_ACTOR } from '../../server/services/actor';
import { createDomain } from '../../server/services/domains/create-domain';
import { updateSettings } from '../../server/services/settings/update-settings';
import { IN_CI } from '../helpers/env';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';
import { sleep, until } from '../helpers/wait';

const root = mkdtempSync(path.join(os.tmpdir(), 'postern-full-'));
const canMount = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', root], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!canMount && !IN_CI)('the data directory on a full disk', () => {
  let t: TestEngine | undefined;
  afterAll(async () => {
    await t?.stop().catch(() => {});
    if (canMount) execFileSync('umount', ['-l', root], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 452 4.3.1 at MAIL FROM, 451 4.3.0 with no partial file, keeps the log, and recovers', async () => {
    expect(canMount, 'mounting a tmpfs needs root').toBe(true);
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    t = await startTestEngine({
      dataDir,
      users: [{ address: 'gina@full.test', password: 'gina-password-1' }],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'full.test', kind: 'LOCAL' });
        await updateSettings(db, CLI_ACTOR, { smtpd_error_sleep_time: '0', message_size_limit: '2000000' });
      },
    });
    const free = () => {
      const s = statfsSync(root);
      return s.bavail * s.bsize;
    };
    const filler = path.join(root, 'filler');
    /** Leaves about `bytes` free on the tmpfs. */
    const leave = (bytes: number) => {
      rmSync(filler, { force: true });
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - bytes)));
    };
    const transaction = async (body: string) => {
      const { probe } = await SmtpProbe.connect(t!.port(), { localAddress: '127.0.7.1' });
      await probe.cmd('EHLO client.example');
      const mail = await probe.cmd('MAIL FROM:<a@example.org>');
      if (mail.code !== 250) {
        probe.close();
        return { mail: mail.text, data: '' };
      }
      await probe.cmd('RCPT TO:<gina@full.test>');
      await probe.cmd('DATA');
      const data = await probe.cmd(`Subject: full\r\n\r\n${body}\r\n.`);
      probe.close();
      return { mail: mail.text, data: data.text };
    };
    const box = maildirFor(mailRootOf(dataDir), 'gina@full.test');
    const inBox = (sub: string) => (existsSync(path.join(box, sub)) ? readdirSync(path.join(box, sub)) : []);

    // The disk full (and so mail.log too): refused before the client sends anything.
    leave(0);
    await new Promise((r) => setTimeout(r, 1100)); // the free-space reading is at most a second old
    const refusals = 16;
    for (let i = 0; i < refusals; i++) expect((await transaction('x')).mail).toBe('452 4.3.1 Insufficient system storage');
    // Their log lines (more than the slack in mail.log's last page) cannot all be written:
    // the rest wait, they are not dropped.
    const log = path.join(dataDir, 'log', 'mail.log');
    const logged = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('452 4.3.1 Insufficient system storage')).length;
    await sleep(300);
    expect(logged()).toBeLessThan(refusals);

    // No size limit to go by: accepted at MAIL FROM, and a message that does not fit is 451.
    rmSync(filler, { force: true });
    await updateSettings(t.db, CLI_ACTOR, { message_size_limit: '0' });
    await t.engine.refreshPolicy();
    const before = inBox('new').length;
    leave(300_000);
    const big = 'y'.repeat(998) + '\r\n';
    const r = await transaction(big.repeat(1200)); // ~1.2 MB
    expect(r.data).toMatch(/^451 4\.3\.0 /);
    expect(inBox('tmp')).toEqual([]);
    expect(inBox('new')).toHaveLength(before);

    // Room again: mail flows, and the lines logged meanwhile are in mail.log.
    rmSync(filler, { force: true });
    expect((await transaction('after')).data).toMatch(/^250 2\.0\.0 Ok: queued as/);
    expect(await until(async () => logged() === refusals, 5000, 200)).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/warning: not enough free space in mail queue: \d+ bytes < 1\.5\*message size limit/);
  });
});
