// The engine under change and failure: listeners follow inet_interfaces and the port
// settings without a restart, and when the database goes away the engine keeps deciding
// from the last good policy and answers 4xx (never 5xx) where it needs the database, then
// recovers by itself when the database is back.
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mailRootOf, maildirFor } from '../../../mail-engine/delivery/deliver-maildir';
import { all, createSqlDriver } from '../../../mail-engine/store/sql-driver';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createDomain } from '../../../server/services/domains/create-domain';
import { updateSettings } from '../../../server/services/settings/update-settings';
import { IN_CI, pgAvailable } from '../../helpers/env';
import { createFreshPgDatabase, pgAdmin } from '../../helpers/pg';
import { freePort } from '../../helpers/ports';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';
import { sleep, until } from '../../helpers/wait';


/** Whether something answers with a greeting on host:port. */
const greets = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('220'));
    });
    s.once('error', () => resolve(false));
  });


describe('listeners follow the settings without a restart', () => {
  let t: TestEngine;
  afterAll(async () => {
    await t?.stop();
  });

  it('rebinds when inet_interfaces or a port changes', async () => {
    const smtpPort = await freePort();
    const submission1 = await freePort();
    const submission2 = await freePort();
    t = await startTestEngine({
      // The smtpd port is pinned by the environment; the submission port comes from the settings.
      env: { POSTERN_SMTP_PORT: String(smtpPort), POSTERN_SUBMISSION_PORT: '' },
      setup: (db) => updateSettings(db, CLI_ACTOR, { postern_submission_port: String(submission1) }).then(() => undefined),
    });
    expect(await greets('127.0.0.1', smtpPort)).toBe(true);
    expect(await greets('::1', smtpPort)).toBe(true);
    expect(await greets('127.0.0.1', submission1)).toBe(true);

    const changed = Date.now();
    await updateSettings(t.db, CLI_ACTOR, { inet_interfaces: '127.0.0.1' });
    expect(await until(async () => !(await greets('::1', smtpPort)))).toBe(true);
    expect(Date.now() - changed).toBeLessThan(1500);
    // Same port, narrower address: the old listener must close before the new one binds.
    expect(await until(() => greets('127.0.0.1', smtpPort))).toBe(true);

    await updateSettings(t.db, CLI_ACTOR, { postern_submission_port: String(submission2) });
    expect(await until(() => greets('127.0.0.1', submission2))).toBe(true);
    expect(await greets('127.0.0.1', submission1)).toBe(false);
    expect(t.engine.listeners().filter((l) => l.service === 'submission').map((l) => `${l.address}:${l.port}`)).toEqual([`127.0.0.1:${submission2}`]);
  });
});

describe('when the database goes away (PostgreSQL)', async () => {
  const havePg = await pgAvailable();
  let t: TestEngine | undefined;
  let db: Awaited<ReturnType<typeof createFreshPgDatabase>> | undefined;
  const admin = pgAdmin;
  afterAll(async () => {
    const name = db ? new URL(db.url).pathname.slice(1) : '';
    if (name) await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => {});
    await t?.stop();
    await db?.drop();
  });

  it.skipIf(!havePg && !IN_CI)('a connection killed in the middle of a transaction fails that transaction, not the process', async () => {
    // pg emits 'error' on a checked-out client whose backend dies; with no listener that
    // is an uncaught exception (vitest reports it and fails the run), in production a crash.
    const scratch = await createFreshPgDatabase('killed_tx');
    const driver = await createSqlDriver(scratch.url, 2);
    try {
      const slow = driver.transaction(function* () {
        return yield* all('SELECT pg_sleep(10) AS slept');
      });
      const outcome = slow.then(() => 'committed', (e: Error) => e.message);
      await sleep(300);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(10)%'`);
      expect(await outcome).toMatch(/terminat/i);
      await sleep(100);
      // The pool replaced the dead connection: the next unit of work runs.
      expect(await driver.transaction(function* () {
        return yield* all<{ one: number }>('SELECT 1 AS one');
      })).toEqual([{ one: 1 }]);
    } finally {
      await driver.close();
      await scratch.drop();
    }
  });

  it.skipIf(!havePg && !IN_CI)('keeps deciding from the last good policy and answers 4xx where it needs the database', async () => {
    db = await createFreshPgDatabase('engine_outage');
    const name = new URL(db.url).pathname.slice(1);
    t = await startTestEngine({
      databaseUrl: db.url,
      users: [
        { address: 'erin@down.test', password: 'erin-password-1' },
        { address: 'finn@down.test', password: 'finn-password-1' },
      ],
      setup: async (d) => {
        await createDomain(d, CLI_ACTOR, { name: 'down.test', kind: 'LOCAL' });
        await updateSettings(d, CLI_ACTOR, { smtpd_error_sleep_time: '0', smtpd_tls_auth_only: 'no' });
      },
    });
    const auth = Buffer.from('\0erin@down.test\0erin-password-1').toString('base64');
    const erinsMail = () => readdirSync(path.join(maildirFor(mailRootOf(t!.dataDir), 'erin@down.test'), 'new')).length;
    /** AUTH, a relay attempt, then a message to erin (and finn: two mailboxes need the queue). */
    const transaction = async (o: { alsoFinn?: boolean } = {}) => {
      const { probe } = await SmtpProbe.connect(t!.port(), { localAddress: '127.0.5.1' });
      const out = { auth: (await probe.cmd('EHLO client.example'), await probe.cmd(`AUTH PLAIN ${auth}`)).text, relay: '', local: '', data: '' };
      await probe.cmd('RSET');
      await probe.cmd('MAIL FROM:<a@example.org>');
      out.relay = (await probe.cmd('RCPT TO:<x@elsewhere.example>')).text;
      out.local = (await probe.cmd('RCPT TO:<erin@down.test>')).text;
      if (o.alsoFinn) await probe.cmd('RCPT TO:<finn@down.test>');
      const data = await probe.cmd('DATA');
      out.data = data.code === 354 ? (await probe.cmd('Subject: outage\r\n\r\nbody\r\n.')).text : data.text;
      probe.close();
      return out;
    };
    const before = await transaction();
    expect(t.engine.listening()).toBe(true);
    expect(before.auth).toMatch(/^235 2\.7\.0/);
    expect(before.data).toMatch(/^250 2\.0\.0 Ok: queued as/);

    await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    await sleep(300);
    const during = await transaction({ alsoFinn: true });
    expect(t.engine.listening()).toBe(false);
    expect(during.auth).toMatch(/^454 4\.7\.0 Temporary authentication failure/);
    // Policy decisions need no database: the last good snapshot answers.
    expect(during.relay).toMatch(/^554 5\.7\.1 <x@elsewhere\.example>: Relay access denied/);
    expect(during.local).toMatch(/^250 2\.1\.5/);
    // Two mailboxes: the message needs the queue, which is in the database.
    expect(during.data).toMatch(/^451 4\.3\.0 /);
    // One Maildir: delivered before the 250, no database needed.
    const delivered = erinsMail();
    expect((await transaction()).data).toMatch(/^250 2\.0\.0 Ok: queued as/);
    expect(erinsMail()).toBe(delivered + 1);

    await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    let after = during;
    for (let i = 0; i < 20 && !/^250 2\.0\.0/.test(after.data); i++) {
      await sleep(250);
      after = await transaction({ alsoFinn: true });
    }
    expect(after.auth).toMatch(/^235 2\.7\.0/);
    expect(after.data).toMatch(/^250 2\.0\.0 Ok: queued as/);
    // The LISTEN connection the outage broke comes back by itself (it retries every 5 s),
    // so changes made on other nodes arrive at once again, not only with the poll.
    expect(await until(async () => t!.engine.listening(), 12_000, 200)).toBe(true);
  });
});
