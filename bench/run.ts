// `npm run bench`: Postern's performance on loopback, beside a private Postfix 3.7 where the
// comparison means something, every load bounded in count and time. Prints one table
// (and writes it to bench/results/latest.md). Sections, in order:
//   policy       RCPT decisions at 100k users / 10k domains / 10k networks, compile time
//   maildir      accept + deliver to Maildir, 2 KB and 100 KB, 1/10/50 sessions, vs Postfix
//   relay        accept + relay to smtp-sink through relayhost, vs Postfix
//   greet        postern_greet_pause 0 vs 100 ms: throughput, and early talkers caught
//   live         time from a committed change to the first SMTP reply reflecting it
//   connections  2,000 idle connections: memory each, greeting time of the 2,001st
//   console      console TTFB with 100k users and 1M log events, SQLite and PostgreSQL
//   mailauth     CPU per 2 KB message of DKIM signing and of the SPF/DKIM/DMARC checks
// Environment: BENCH_SECTIONS (comma list, default all), BENCH_MESSAGES (default 10000),
// BENCH_SESSIONS (default 1,10,50), BENCH_SIZES (default 2048,102400), BENCH_REPEAT
// (default 2: each throughput figure is the mean of two runs per system, ordered A B B A).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from '../test/helpers/env';
import { runConnections } from './sections/connections';
import { runConsole } from './sections/console';
import { runGreetPause } from './sections/greet-pause';
import { runLivePickup } from './sections/live-pickup';
import { runPolicy } from './sections/policy';
import { runMailAuth } from './sections/mail-auth';
import { runThroughput, type ThroughputResult } from './sections/throughput';
import { BENCH_DIR, BENCH_DIR_SPREAD, removeBenchDir } from './lib/systems';
import { settleFileCreation } from './lib/fs-probe';
import { syscallNs } from './lib/syscall-probe';

const env = process.env;
const SECTIONS = new Set((env.BENCH_SECTIONS ?? 'policy,maildir,relay,greet,live,connections,console,mailauth').split(',').map((s) => s.trim()));
const MESSAGES = Number(env.BENCH_MESSAGES ?? 10_000);
const SESSIONS = (env.BENCH_SESSIONS ?? '1,10,50').split(',').map(Number);
const SIZES = (env.BENCH_SIZES ?? '2048,102400').split(',').map(Number);
const REPEAT = Math.max(1, Number(env.BENCH_REPEAT ?? 2));

const log = (s: string) => process.stderr.write(`${s}\n`);
const lines: string[] = [];
const out = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const table = (head: string[], rows: (string | number)[][]) => {
  out(`| ${head.join(' | ')} |`);
  out(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) out(`| ${r.join(' | ')} |`);
  out();
};
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

const throughputTable = (title: string, results: ThroughputResult[], target: number, metric: 'deliverPerS') => {
  out(`### ${title}`);
  const rows: (string | number)[][] = [];
  const keys = [...new Set(results.map((r) => `${r.size}|${r.sessions}`))];
  for (const k of keys) {
    const [size, sessions] = k.split('|').map(Number) as [number, number];
    const pn = results.find((r) => r.size === size && r.sessions === sessions && r.system === 'Postern');
    const pf = results.find((r) => r.size === size && r.sessions === sessions && r.system === 'Postfix');
    for (const r of [pn, pf]) {
      if (!r) continue;
      const ratio = r === pn && pf ? r[metric] / pf[metric] : NaN;
      rows.push([
        `${size >= 1024 ? `${size / 1024} KB` : `${size} B`}`,
        sessions,
        r.system,
        f0(r.acceptPerS),
        f0(r.deliverPerS),
        r === pn ? `${f2(ratio)} × ${sessions >= 10 ? `(target ${target})` : ''}` : '',
        f1(r.p50Ms),
        f1(r.p99Ms),
        f2(r.cpuSPer1000),
        f0(r.peakRssMb),
      ]);
    }
  }
  table(['size', 'sessions', 'system', 'accepted msg/s', 'delivered msg/s', 'Postern ÷ Postfix (delivered)', 'p50 ms', 'p99 ms', 'CPU s / 1000 msg', 'peak RSS MB'], rows);
};

const main = async () => {
  const started = new Date();
  out(`## Benchmark run — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  out();
  out(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${MESSAGES.toLocaleString('en')} messages per load, ${REPEAT} run(s) per system (means); command: \`npm run bench\`${env.BENCH_SECTIONS ? ` with BENCH_SECTIONS=${env.BENCH_SECTIONS}` : ''}`);
  out();
  out(`A system call (getppid) costs ${(syscallNs() / 1000).toFixed(2)} µs here (typically 0.05–0.2 µs on bare hardware; page-table isolation in a virtual machine can make it ten times that).`);
  out();
  if (SECTIONS.has('maildir') || SECTIONS.has('relay')) {
    const ms = await settleFileCreation(BENCH_DIR, log);
    out(
      `File creation in ${BENCH_DIR}${BENCH_DIR_SPREAD ? ' (chattr +T: each system in block groups of its own)' : ''}, before the run: ${ms.create.toFixed(2)} ms to create a file, ${ms.whole.toFixed(2)} ms to create, write 2 KB, fsync and rename it.`,
    );
    out();
  }
  const haveSmtpTools = hasCommand('smtp-source') && hasCommand('smtp-sink') && hasCommand('postfix');
  if (!haveSmtpTools && (SECTIONS.has('maildir') || SECTIONS.has('relay') || SECTIONS.has('live'))) {
    throw new Error("Postfix's tools are missing: apt-get install postfix (see README, Performance)");
  }

  if (SECTIONS.has('policy')) {
    log('policy…');
    const p = runPolicy({ seconds: 3 });
    out('### Policy decisions (one core)');
    table(
      ['measure', 'result', 'target'],
      [
        ['compile 100,000 users, 10,000 domains, 10,000 networks', `${f0(p.compileMs)} ms`, `< 1,000 ms — ${verdict(p.compileMs < 1000)}`],
        ['RCPT decisions per second', f0(p.perSecond), `≥ 200,000 — ${verdict(p.perSecond >= 200_000)}`],
        ['decision latency p50 / p99', `${f1(p.p50Us)} / ${f1(p.p99Us)} µs`, ''],
      ],
    );
  }
  let maildir: ThroughputResult[] = [];
  if (SECTIONS.has('maildir')) {
    log('maildir…');
    const r = (maildir = await runThroughput({ target: 'maildir', sizes: SIZES, sessions: SESSIONS, messages: MESSAGES, repeat: REPEAT, log }));
    throughputTable('Accept and deliver to Maildir (Postfix: virtual(8))', r, 1.5, 'deliverPerS');
  }
  if (SECTIONS.has('relay')) {
    log('relay…');
    const r = await runThroughput({ target: 'relay', sizes: [SIZES[0]!], sessions: SESSIONS, messages: MESSAGES, repeat: REPEAT, log });
    throughputTable('Accept and relay to smtp-sink through relayhost', r, 0.8, 'deliverPerS');
  }
  if (SECTIONS.has('greet')) {
    log('greet pause…');
    const g = await runGreetPause({ messages: Math.min(MESSAGES, 5000), log });
    out('### The greeting pause: its cost and its benefit (50 sessions, 2 KB)');
    table(
      ['postern_greet_pause', 'accepted msg/s', 'early talkers refused'],
      g.map((x) => [`${x.pauseMs} ms`, f0(x.acceptPerS), `${x.caught} of ${x.talkers}`]),
    );
  }
  if (SECTIONS.has('live')) {
    log('live pickup…');
    const l = await runLivePickup({ changes: 200, log });
    out('### Live pickup (commit → first SMTP reply reflecting it, under load)');
    table(
      ['change', 'n', 'median ms', 'max ms', 'target'],
      [
        ['trusted network added', l.network.n, f1(l.network.median), f1(l.network.max), ''],
        ['password changed', l.password.n, f1(l.password.median), f1(l.password.max), ''],
        ['all', l.network.n + l.password.n, f1(l.all.median), f1(l.all.max), `median ≤ 50, max ≤ 1,000 — ${verdict(l.all.median <= 50 && l.all.max <= 1000)}`],
      ],
    );
  }
  if (SECTIONS.has('connections')) {
    log('connections…');
    const c = await runConnections({ count: 2000 });
    out('### Idle connections');
    table(
      ['measure', 'result', 'target'],
      [
        [`memory per idle connection (${c.connections})`, `${f1(c.kbPerConnection)} KB`, `≤ 30 KB — ${verdict(c.kbPerConnection <= 30)}`],
        ['greeting of the 2,001st connection', `${f1(c.greetLastMs)} ms`, ''],
        ['engine RSS idle → with 2,000 connections', `${f0(c.rssBeforeMb)} → ${f0(c.rssAfterMb)} MB`, ''],
      ],
    );
  }
  if (SECTIONS.has('console')) {
    const rows: (string | number)[][] = [];
    for (const dialect of ['sqlite', 'postgresql'] as const) {
      log(`console on ${dialect}…`);
      for (const q of await runConsole({ dialect, users: 100_000, events: 1_000_000, log })) {
        rows.push([dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL', q.name, f0(q.median), f0(q.max), f0(q.whole), verdict(q.median <= 150)]);
      }
    }
    out('### Console time to first byte (100,000 users, 1,000,000 log events)');
    table(['database', 'page', 'TTFB median ms', 'TTFB max ms', 'whole page median ms', 'target ≤ 150 ms'], rows);
  }
  if (SECTIONS.has('mailauth')) {
    log('mail authentication…');
    const costs = await runMailAuth({ seconds: 3 });
    // Postern's own CPU per 2 KB message at 10 sessions, from the Maildir table of this run.
    const base = maildir.filter((r) => r.system === 'Postern' && r.size === 2048 && r.sessions === 10).map((r) => r.cpuSPer1000 * 1000)[0];
    out('### Mail authentication, CPU per 2 KB message (one core, DNS answered in memory)');
    const share = (us: number) => (base ? `${f1((100 * us) / base)} %` : 'n/a (run with the maildir section)');
    const both = costs.find((c) => c.name === 'DKIM sign, RSA 2048')!.usPerMessage + costs.find((c) => c.name.startsWith('checks'))!.usPerMessage;
    table(
      ['work', 'CPU µs / message', base ? `share of Postern's ${f0(base)} µs per message (Maildir, 2 KB, 10 sessions)` : "share of Postern's CPU per message", 'target'],
      [
        ...costs.map((c) => [c.name, f0(c.usPerMessage), share(c.usPerMessage), '']),
        ['RSA signing + checks', f0(both), share(both), base ? `< 20 % — ${verdict((100 * both) / base < 20)}` : '< 20 %'],
      ],
    );
  }
  out(`Finished in ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min.`);
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.md'), `${lines.join('\n')}\n`);
};

main().then(
  () => {
    removeBenchDir();
    process.exit(0);
  },
  (e) => {
    console.error(e);
    removeBenchDir();
    process.exit(1);
  },
);
