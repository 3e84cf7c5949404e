// npm run soak: Postern under a steady load for minutes, with the policy changing underneath.
// SOAK_SESSIONS (200) clients each send one message after another to a local Maildir, every
// message with its own id, for SOAK_MINUTES (5; 60 for the long run); every 10 s a setting
// changes (a new policy revision, applied live). Printed: errors, RSS over time, greeting
// latency percentiles (a separate probe), and the exactly-once check — every message answered
// 250 is in the Maildir exactly once, and nothing else is. Loopback only, every loop bounded
// in count and time. Not part of npm test.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { removeBenchDir, RECIPIENT, startPosternSystem } from './lib/systems';
import { sleep } from './lib/load';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 5);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 200);
const SIZE = Number(process.env.SOAK_SIZE ?? 2048);
/** Bounds, whatever happens: no client sends more than this many messages. */
const MAX_PER_CLIENT = 100_000;

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** One SMTP transaction on a new connection; resolves with the reply to the data, or throws. */
const transaction = (port: number, id: string, body: string) =>
  new Promise<string>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const steps = ['EHLO soak.test', 'MAIL FROM:<soak@sender.test>', `RCPT TO:<${RECIPIENT}>`, 'DATA', `Subject: soak ${id}\r\nX-Soak-Id: ${id}\r\n\r\n${body}.`, 'QUIT'];
    let buf = '';
    let i = 0;
    let answer = '';
    s.setTimeout(60_000, () => s.destroy(new Error('timeout')));
    s.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (line[3] === '-') continue;
        if (i === 5) answer = line;
        if (line[0] !== '2' && line[0] !== '3') return s.destroy(new Error(line));
        if (i === steps.length) return s.end();
        s.write(`${steps[i++]}\r\n`);
      }
    });
    s.on('error', reject);
    s.on('close', () => (answer ? resolve(answer) : reject(new Error('closed early'))));
  });

/** Connect → 220, timed. */
const greet = (port: number) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1' });
    s.setTimeout(30_000, () => s.destroy(new Error('greeting timeout')));
    s.once('data', (d) => {
      const ms = performance.now() - t0;
      s.end('QUIT\r\n');
      if (d.toString().startsWith('220')) resolve(ms);
      else reject(new Error(d.toString().trim()));
    });
    s.on('error', reject);
  });

const main = async () => {
  console.log(`soak: ${SESSIONS} sessions, ${MINUTES} min, ${SIZE} B messages, a policy change every 10 s`);
  const postern = await startPosternSystem({ kind: 'maildir' });
  const body = `${'x'.repeat(76)}\r\n`.repeat(Math.max(1, Math.floor(SIZE / 78)));
  const end = Date.now() + MINUTES * 60_000;
  const accepted = new Set<string>();
  const errors = new Map<string, number>();
  const greetings: number[] = [];
  const rss: { at: number; kb: number }[] = [];
  let revisions = 0;
  const started = Date.now();

  const client = async (n: number) => {
    for (let k = 0; k < MAX_PER_CLIENT && Date.now() < end; k++) {
      const id = `${n}.${k}`;
      try {
        const r = await transaction(postern.port, id, body);
        if (r.startsWith('250')) accepted.add(id);
        else errors.set(r.slice(0, 60), (errors.get(r.slice(0, 60)) ?? 0) + 1);
      } catch (e) {
        const key = (e as Error).message.slice(0, 60);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        await sleep(50);
      }
    }
  };
  const policy = async () => {
    for (let i = 0; Date.now() < end; i++) {
      await sleep(10_000);
      if (Date.now() >= end) break;
      postern.cli(['set', `smtpd_recipient_limit=${1000 - (i % 2)}`]);
      revisions++;
    }
  };
  const probe = async () => {
    while (Date.now() < end) {
      try {
        greetings.push(await greet(postern.port));
      } catch (e) {
        errors.set(`greeting: ${(e as Error).message.slice(0, 40)}`, (errors.get(`greeting: ${(e as Error).message.slice(0, 40)}`) ?? 0) + 1);
      }
      await sleep(200);
    }
  };
  const sampler = async () => {
    while (Date.now() < end) {
      rss.push({ at: Math.round((Date.now() - started) / 1000), kb: rssKb(postern.pid) });
      await sleep(15_000);
    }
  };
  await Promise.all([...Array.from({ length: SESSIONS }, (_, n) => client(n)), policy(), probe(), sampler()]);

  // Exactly once: every id answered 250 is in the Maildir once; nothing else is.
  const dir = path.join(postern.maildir, 'new');
  let seen = new Map<string, number>();
  for (let wait = 0; wait < 120; wait++) {
    seen = new Map();
    for (const f of readdirSync(dir)) {
      const id = /X-Soak-Id: (\S+)/.exec(readFileSync(path.join(dir, f), 'utf8').slice(0, 4096))?.[1];
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    if ([...accepted].every((id) => seen.has(id))) break;
    await sleep(1000);
  }
  const missing = [...accepted].filter((id) => !seen.has(id)).length;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  const unexpected = [...seen.keys()].filter((id) => !accepted.has(id)).length;
  const sorted = [...greetings].sort((a, b) => a - b);
  await postern.stop();
  removeBenchDir();

  console.log(`\naccepted ${accepted.size} messages (${(accepted.size / (MINUTES * 60)).toFixed(0)}/s), ${revisions} policy revisions applied`);
  console.log(`errors: ${errors.size ? [...errors].map(([k, n]) => `${n} × ${k}`).join('; ') : 'none'}`);
  console.log(`greeting latency: p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (${sorted.length} probes)`);
  console.log(`RSS (KB) over time: ${rss.map((r) => `${r.at}s ${r.kb}`).join(', ')}`);
  console.log(`exactly once: ${missing} missing, ${duplicated} duplicated, ${unexpected} not acknowledged`);
  if (missing || duplicated) process.exitCode = 1;
};

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
