import { spawn } from 'node:child_process';
import { countNew, smtpSource, waitFor } from './lib/load';
import { RECIPIENT, startPosternSystem, removeBenchDir } from './lib/systems';
const size = Number(process.env.SIZE ?? 102400), N = Number(process.env.N ?? 2000), S = Number(process.env.S ?? 10);
const sys = await startPosternSystem({ kind: 'maildir' });
// warm up
await smtpSource({ port: sys.port, sessions: S, messages: 1000, size, to: RECIPIENT });
await waitFor(() => countNew(sys.maildir), 1000, performance.now());
const perf = process.env.PERF ? spawn('perf', ['record', '-g', '-p', String(sys.pid), '-o', '/tmp/perf3.data'], { stdio: 'ignore' }) : undefined;
await new Promise((r) => setTimeout(r, 300));
const t0 = performance.now();
await smtpSource({ port: sys.port, sessions: S, messages: N, size, to: RECIPIENT });
await waitFor(() => countNew(sys.maildir), N + 1000, t0);
console.log('rate', Math.round(N / ((performance.now() - t0) / 1000)));
perf?.kill('SIGINT');
await new Promise((r) => setTimeout(r, 1500));
await sys.stop(); removeBenchDir();
