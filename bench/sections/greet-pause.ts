// The greeting pause, measured both ways: its cost (throughput at 50 one-message sessions
// with postern_greet_pause = 0 and 100 ms, smtp-server's fixed default) and its benefit
// (how many of 50 early talkers — clients that send EHLO before the greeting — are caught).
import net from 'node:net';
import { countNew, smtpSource, waitForCount } from '../lib/load';
import { RECIPIENT, startPosternSystem } from '../lib/systems';

const earlyTalker = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.8.1' }, () => s.write('EHLO early.example\r\n'));
    let buf = '';
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (d) => {
      buf += d.toString();
      if (/\r\n/.test(buf)) {
        s.destroy();
        resolve(/^421 /.test(buf) || /\r\n421 /.test(buf));
      }
    });
    s.on('close', () => resolve(/421 /.test(buf)));
    s.on('error', () => resolve(false));
  });

export const runGreetPause = async (o: { messages: number; log: (s: string) => void }) => {
  const out: { pauseMs: number; acceptPerS: number; caught: number; talkers: number }[] = [];
  for (const pauseMs of [0, 100]) {
    const sys = await startPosternSystem({ kind: 'maildir' });
    try {
      sys.cli(['set', `postern_greet_pause=${pauseMs}ms`]);
      await new Promise((r) => setTimeout(r, 300));
      o.log(`  greet pause ${pauseMs} ms…`);
      const before = countNew(sys.maildir);
      const t0 = performance.now();
      const ms = await smtpSource({ port: sys.port, sessions: 50, messages: o.messages, size: 2048, to: RECIPIENT });
      await waitForCount(() => countNew(sys.maildir), before + o.messages, t0);
      let caught = 0;
      for (let i = 0; i < 50; i++) if (await earlyTalker(sys.port)) caught++;
      out.push({ pauseMs, acceptPerS: o.messages / (ms / 1000), caught, talkers: 50 });
    } finally {
      await sys.stop();
    }
  }
  return out;
};
