// Load generation and measurement on loopback, every loop bounded in count and time:
// Postfix's smtp-source (the load) and smtp-sink (a relay destination), a latency probe
// that times whole transactions while the load runs, and delivery counting.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../../test/helpers/ports';
import { sleep, waitForPort } from '../../test/helpers/wait';

export { sleep } from '../../test/helpers/wait';

/** smtp-source: `messages` one-message sessions, `sessions` at a time; resolves with the wall time. */
export const smtpSource = (o: { port: number; sessions: number; messages: number; size: number; to: string; timeoutMs?: number }) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('smtp-source', ['-l', String(o.size), '-m', String(o.messages), '-s', String(o.sessions), '-f', 'bench@sender.test', '-t', o.to, '-M', 'client.bench.test', `127.0.0.1:${o.port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const guard = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    p.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (code !== 0) reject(new Error(`smtp-source failed (${code ?? signal}): ${err.slice(0, 500)}`));
      else resolve(performance.now() - t0);
    });
  });

/** smtp-sink as a relay destination; `count()` is how many messages it has received. */
export const startSmtpSink = async () => {
  const port = await freePort();
  const p = spawn('smtp-sink', ['-u', 'nobody', '-c', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let last = 0;
  let tail = '';
  p.stdout.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-200);
    const m = /mesg=(\d+)\r?[^\r]*$/.exec(tail) ?? /.*mesg=(\d+)/s.exec(tail);
    if (m) last = Number(m[1]);
  });
  await waitForPort(port, { failure: () => 'smtp-sink did not start' });
  return { port, count: () => last, stop: () => void p.kill('SIGTERM') };
};

/** Files in a Maildir's new/ (one mailbox receives the whole load). */
export const countNew = (maildir: string) => {
  try {
    return readdirSync(`${maildir}/new`).length;
  } catch {
    return 0;
  }
};

/** Waits until count() reaches want (or the time limit); resolves with the time it took since t0. */
export const waitForCount = async (count: () => number, want: number, t0: number, limitMs = 600_000) => {
  const end = Date.now() + limitMs;
  while (count() < want) {
    if (Date.now() > end) throw new Error(`timed out at ${count()} of ${want}`);
    await sleep(10);
  }
  return performance.now() - t0;
};

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

/**
 * Times whole transactions (connect → 250 after the data → QUIT) on new connections, as
 * smtp-source sends them, while the load runs: one every 20 ms, so the probe stays a
 * small part of the load (its messages are counted as delivered too).
 */
export const startProbe = (o: { port: number; to: string; size: number }) => {
  const times: number[] = [];
  let stopped = false;
  let failures = 0;
  const body = `Subject: probe\r\n\r\n${'x'.repeat(Math.max(0, o.size - 20))}\r\n`.replace(/(.{76})/g, '$1\r\n');
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const s = net.connect({ port: o.port, host: '127.0.0.1' });
      const steps = ['HELO probe.bench.test', 'MAIL FROM:<probe@sender.test>', `RCPT TO:<${o.to}>`, 'DATA', `${body}.`, 'QUIT'];
      const want = [220, 250, 250, 250, 354, 250, 221];
      let buf = '';
      let i = 0;
      let done = 0;
      s.setTimeout(30_000, () => s.destroy(new Error('probe timeout')));
      s.on('data', (d) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          if (line[3] === '-') continue;
          if (Number(line.slice(0, 3)) !== want[i]) return s.destroy(new Error(`probe: ${line}`));
          if (i === 5) done = performance.now() - t0;
          if (i === steps.length) return s.end();
          s.write(`${steps[i++]}\r\n`);
        }
      });
      s.on('error', reject);
      s.on('close', () => (done ? resolve(done) : reject(new Error('probe: connection closed early'))));
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        times.push(await one());
      } catch {
        failures++;
      }
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      const sorted = [...times].sort((a, b) => a - b);
      return { count: times.length, failures, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    },
  };
};
