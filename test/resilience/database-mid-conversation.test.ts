// The database goes away, or is locked by another process, in the middle of an SMTP
// conversation: after MAIL and RCPT were accepted and before DATA. The message needs the
// queue (two mailboxes), which is in the database. The client is never given a 5xx, the
// session survives, nothing is half-written, and the same session's next try succeeds once
// the database is back; a 250 always means the message is there, once.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mailRootOf, maildirFor } from '../../mail-engine/delivery/deliver-maildir';
import { CLI_ACTOR } from '../../server/services/actor';
import { createDomain } from '../../server/services/domains/create-domain';
import { updateSettings } from '../../server/services/settings/update-settings';
import { IN_CI, pgAvailable } from '../helpers/env';
import { createFreshPgDatabase, pgOutage } from '../helpers/pg';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';
import { sleep, until } from '../helpers/wait';

const users = [
  { address: 'ana@mid.test', password: 'ana-password-1' },
  { address: 'ben@mid.test', password: 'ben-password-1' },
];
const setup = async (d: TestEngine['db']) => {
  await createDomain(d, CLI_ACTOR, { name: 'mid.test', kind: 'LOCAL' });
  await updateSettings(d, CLI_ACTOR, { smtpd_error_sleep_time: '0' });
};
const copies = (t: TestEngine, address: string, subject: string) => {
  const dir = path.join(maildirFor(mailRootOf(t.dataDir), address), 'new');
  let n = 0;
  let files: Dirent[];
  try {
    files = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // not made yet: nothing delivered
  }
  for (const f of files) if (f.isFile()) n += Number(readFileSync(path.join(dir, f.name), 'utf8').includes(`Subject: ${subject}`));
  return n;
};

/** A session that has its envelope accepted, and sends the data when told. */
const openTransaction = async (t: TestEngine) => {
  const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.8.1' });
  await probe.cmd('EHLO client.example');
  const envelope = async () => {
    expect((await probe.cmd('MAIL FROM:<sender@example.org>')).code).toBe(250);
    expect((await probe.cmd('RCPT TO:<ana@mid.test>')).code).toBe(250);
    expect((await probe.cmd('RCPT TO:<ben@mid.test>')).code).toBe(250);
  };
  await envelope();
  return {
    probe,
    envelope,
    data: async (subject: string) => {
      const go = await probe.cmd('DATA');
      if (go.code !== 354) return go;
      return probe.cmd(`Subject: ${subject}\r\n\r\nbody\r\n.`);
    },
  };
};

describe('the database away in the middle of a conversation', async () => {
  const havePg = await pgAvailable();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it.skipIf(!havePg && !IN_CI)('PostgreSQL unreachable between RCPT and DATA: 451, the session lives, the retry is delivered once', async () => {
    const db = await createFreshPgDatabase('mid_conversation');
    cleanup.push(() => db.drop());
    const outage = (on: boolean) => pgOutage(db.url, on);
    cleanup.push(() => outage(false));
    const t = await startTestEngine({ databaseUrl: db.url, users, setup });
    cleanup.push(() => t.stop());
    const s = await openTransaction(t);
    await outage(true);
    const during = await s.data('during the outage');
    expect(during.text).toMatch(/^451 4\.3\.0 /);
    await outage(false);
    // The same session: RSET, the envelope again, the data again, until the pool reconnects.
    let after = during;
    for (let i = 0; i < 40 && after.code !== 250; i++) {
      await sleep(250);
      await s.probe.cmd('RSET');
      await s.envelope();
      after = await s.data('after the outage');
      expect(after.code === 250 || after.code === 451).toBe(true);
    }
    expect(after.text).toMatch(/^250 2\.0\.0 Ok: queued as/);
    s.probe.close();
    for (const who of ['ana@mid.test', 'ben@mid.test']) {
      expect(await until(async () => copies(t, who, 'after the outage') === 1, 10_000, 200)).toBe(true);
      expect(copies(t, who, 'during the outage')).toBe(0);
    }
  });

  it('SQLite locked by another process between RCPT and DATA: no 5xx, and a 250 means the message is there once', async () => {
    const t = await startTestEngine({ users, setup });
    cleanup.push(() => t.stop());
    const s = await openTransaction(t);
    const script = `import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\ntime.sleep(3)\nc.execute('ROLLBACK')\n`;
    const locker = spawn('python3', ['-c', script, path.join(t.dataDir, 'postern.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const released = new Promise<void>((r) => locker.once('exit', () => r()));
    await new Promise((r) => locker.stdout.once('data', r));
    const reply = await s.data('under the lock');
    expect(reply.code === 250 || reply.code === 451, reply.text).toBe(true);
    await released;
    let final = reply;
    for (let i = 0; i < 20 && final.code !== 250; i++) {
      await sleep(250);
      await s.probe.cmd('RSET');
      await s.envelope();
      final = await s.data('under the lock');
    }
    expect(final.text).toMatch(/^250 2\.0\.0 Ok: queued as/);
    s.probe.close();
    for (const who of ['ana@mid.test', 'ben@mid.test']) expect(await until(async () => copies(t, who, 'under the lock') === 1, 10_000, 200)).toBe(true);
  });
});
