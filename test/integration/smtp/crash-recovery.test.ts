// kill -9 after the 250 loses nothing: the message (body included) was committed to the
// queue tables before the 250; after a restart delivery resumes and the relay receives it.
import { afterAll, describe, expect, it } from 'vitest';
import { run, swaks } from '../../helpers/clients';
import { requireCommand } from '../../helpers/env';
import { freePort } from '../../helpers/ports';
import { startSink } from '../../helpers/sink';
import { posternEnvArgs, startPostern, type RunningPostern } from '../../helpers/start-postern';

describe.skipIf(!requireCommand('swaks'))('crash recovery', () => {
  let p: RunningPostern | undefined;
  afterAll(async () => {
    await p?.stop();
  });

  it('keeps an accepted message through kill -9 and delivers it after restart', async () => {
    const sinkPort = await freePort(); // the relay is down until after the crash
    p = await startPostern({ role: 'engine', keepData: true, env: { POSTERN_NODE_ID: 'crash-node' } });
    const postern = (args: string[]) => run('env', posternEnvArgs(p!.dataDir, args));
    const added = await postern(['network', 'add', '127.0.0.2']);
    expect(added.code, added.stderr + added.stdout).toBe(0);
    expect((await postern(['set', `relayhost=[127.0.0.1]:${sinkPort}`, 'minimal_backoff_time=1s', 'smtp_tls_security_level=none'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const sent = await swaks(['--server', `127.0.0.1:${p.ports.smtp}`, '--local-interface', '127.0.0.2', '--from', 'a@b.org', '--to', 'survivor@example.org', '--header', 'Subject: survives kill -9']);
    const queueId = /250 2\.0\.0 Ok: queued as ([0-9A-F]+)/.exec(sent.stdout)?.[1];
    expect(queueId, sent.stdout).toBeTruthy();
    p.proc.kill('SIGKILL');
    await new Promise((r) => p!.proc.once('exit', r));
    expect((await postern(['queue'])).stdout).toContain(queueId!);
    expect((await postern(['queue', 'show', queueId!])).stdout).toContain('Subject: survives kill -9');

    const sink = await startSink({ port: sinkPort });
    try {
      p = await startPostern({ role: 'engine', dataDir: p.dataDir, env: { POSTERN_NODE_ID: 'crash-node' } });
      const end = Date.now() + 20_000;
      while (!sink.received.length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      expect(sink.received[0]?.data).toContain('Subject: survives kill -9');
      let queue = '';
      for (let i = 0; i < 20 && !queue.includes('Mail queue is empty'); i++) {
        queue = (await postern(['queue'])).stdout;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(queue).toContain('Mail queue is empty');
    } finally {
      await sink.close();
    }
  });
});
