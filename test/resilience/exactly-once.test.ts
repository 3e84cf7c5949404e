// A delivery is recorded exactly once, whatever fault stands between the delivery and its
// record: here the database goes away (PostgreSQL refuses connections) after the next hop
// has taken the message and before the engine could record it, for longer than the lease.
// The outcome is held, journaled and retried; the recipients are not handed out again when
// their lease runs out; once the database is back the message is recorded and gone, and
// the next hop has exactly one copy. And when the engine is stopped while the database is
// still away, the journal makes the next start record the outcome instead of delivering
// again.
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { createNetwork } from '../../server/services/networks/create-network';
import { updateSettings } from '../../server/services/settings/update-settings';
import { IN_CI, pgAvailable } from '../helpers/env';
import { createFreshPgDatabase, pgOutage } from '../helpers/pg';
import { startSink } from '../helpers/sink';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';
import { sleep, until } from '../helpers/wait';

describe('a delivery outcome the database cannot take (PostgreSQL)', async () => {
  const havePg = await pgAvailable();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it.skipIf(!havePg && !IN_CI)('is held and retried, never delivered twice, and survives a restart through the journal', async () => {
    const db = await createFreshPgDatabase('exactly_once');
    cleanup.push(() => db.drop());
    const outage = (on: boolean) => pgOutage(db.url, on);
    cleanup.push(() => outage(false));
    // The next hop holds each message 1.5 s before its 250: time to cut the database.
    const sink = await startSink({ holdMs: 1500 });
    cleanup.push(() => sink.close());
    const settings = {
      relayhost: `[127.0.0.1]:${sink.port}`,
      smtpd_error_sleep_time: '0',
      postern_queue_lease_time: '2s',
      postern_record_retry_time: '1s',
    };
    const start = (dataDir?: string) =>
      startTestEngine({
        databaseUrl: db.url,
        ...(dataDir ? { dataDir } : {}),
        setup: async (d) => {
          if (dataDir) return;
          await createNetwork(d, CLI_ACTOR, { cidr: '127.0.6.0/24' });
          await updateSettings(d, CLI_ACTOR, settings);
        },
      });
    let t: TestEngine = await start();
    cleanup.push(() => t.stop());
    const send = async (subject: string) => {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.6.1' });
      await probe.cmd('EHLO client.example');
      await probe.cmd('MAIL FROM:<a@example.org>');
      await probe.cmd('RCPT TO:<x@far.example>');
      await probe.cmd('RCPT TO:<y@far.example>');
      await probe.cmd('DATA');
      const r = await probe.cmd(`Subject: ${subject}\r\n\r\nbody\r\n.`);
      probe.close();
      expect(r.text).toMatch(/^250 2\.0\.0 Ok: queued as/);
    };
    const copies = (subject: string) => sink.received.filter((m) => m.data.includes(`Subject: ${subject}`)).length;
    const queued = async () => Number((await t.db.message.count()) ?? 0);

    // 1. Retried in memory: the outage outlasts the lease.
    await send('first');
    await sleep(300);
    await outage(true);
    expect(await until(async () => copies('first') === 1, 5000)).toBe(true);
    await sleep(4000); // twice the lease, with the poll running (and failing) meanwhile
    await outage(false);
    expect(await until(async () => (await queued()) === 0, 15_000, 250)).toBe(true);
    await sleep(3000); // another lease and more polls: nothing is handed out again
    expect(copies('first')).toBe(1);

    // 2. Journaled: stopped while the database is away, started again once it is back.
    await send('second');
    await sleep(300);
    await outage(true);
    expect(await until(async () => copies('second') === 1, 5000)).toBe(true);
    await sleep(500);
    const dataDir = t.dataDir;
    // The engine alone: its data directory (and journal) stays.
    await t.engine.close();
    await t.db.$disconnect();
    await outage(false);
    t = await start(dataDir);
    expect(await until(async () => (await queued()) === 0, 15_000, 250)).toBe(true);
    await sleep(3000);
    expect(copies('second')).toBe(1);
  });
});
