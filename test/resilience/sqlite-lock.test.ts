// Another process holding the write lock on postern.db (a backup, sqlite3 by hand) must not
// freeze the engine: sessions are greeted within a second while the lock is held, and the
// engine's writes (heartbeat, delivery log, queue) resume when it is released.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { updateSettings } from '../../server/services/settings/update-settings';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';
import { sleep, until } from '../helpers/wait';

/** Holds SQLite's write lock on `file` for `ms` (python3's sqlite3, another process). */
const holdWriteLock = (file: string, ms: number) =>
  new Promise<{ done: Promise<void> }>((resolve, reject) => {
    const script = `import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked',flush=True)\ntime.sleep(float(sys.argv[2]))\nc.execute('ROLLBACK')\n`;
    const p = spawn('python3', ['-c', script, file, String(ms / 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = new Promise<void>((r) => p.once('exit', () => r()));
    p.stdout.once('data', () => resolve({ done }));
    p.once('error', reject);
  });

describe('SQLite locked by another process', () => {
  let t: TestEngine | undefined;
  afterAll(async () => {
    await t?.stop();
  });

  it('greets every session within a second while the lock is held, and writes resume after', async () => {
    t = await startTestEngine({ setup: (db) => updateSettings(db, CLI_ACTOR, { smtpd_error_sleep_time: '0' }).then(() => undefined) });
    const file = path.join(t.dataDir, 'postern.db');
    const beatBefore = (await t.db.engineNode.findFirst())!.heartbeatAt;
    const lock = await holdWriteLock(file, 7000);
    const started = Date.now();
    const waits: number[] = [];
    // Through at least one heartbeat (every 5 s) and a policy reload's.
    await t.engine.refreshPolicy();
    while (Date.now() - started < 6500) {
      const at = Date.now();
      const { probe, greeting } = await SmtpProbe.connect(t.port());
      waits.push(Date.now() - at);
      expect(greeting.code).toBe(220);
      probe.close();
      await sleep(200);
    }
    await lock.done;
    expect(waits.length).toBeGreaterThan(10);
    expect(Math.max(...waits)).toBeLessThan(1000);
    // Released: the heartbeat is written again.
    expect(await until(async () => (await t!.db.engineNode.findFirst())!.heartbeatAt > beatBefore, 8000, 250)).toBe(true);
  });
});
