// Starts the real `postern serve` (what `npm start` runs) as a child process on free ports
// with its own data directory, and waits for "postern: ready".
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDnsServer } from './dns-server';
import { freePort } from './ports';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `postern` command (package.json's bin), run with `node` by the tests and the bench. */
export const POSTERN_BIN = path.join(ROOT, 'bin/postern.cjs');
/**
 * The arguments to `env(1)` that run `postern ARGS` on a data directory, with more variables
 * if given: `run('env', posternEnvArgs(dir, ['user', 'list']))`.
 */
export const posternEnvArgs = (dataDir: string, args: string[], env: Record<string, string> = {}) => [
  `POSTERN_DATA_DIR=${dataDir}`,
  ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  process.execPath,
  POSTERN_BIN,
  ...args,
];

export type RunningPostern = {
  proc: ChildProcess;
  dataDir: string;
  webUrl: string;
  ports: { web: number; smtp: number; submission: number; smtps: number };
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export const startPostern = async (
  o: {
    env?: Record<string, string>;
    role?: string;
    dataDir?: string;
    keepData?: boolean;
    timeoutMs?: number;
    nodeArgs?: string[];
    /** Run as this unprivileged user (the data directory is handed to it). */
    user?: { uid: number; gid: number };
  } = {},
): Promise<RunningPostern> => {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'postern-test-'));
  if (o.user) chownSync(dataDir, o.user.uid, o.user.gid);
  const ports = { web: await freePort(), smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
  const env = {
    ...process.env,
    POSTERN_DNS_SERVER: await defaultDnsServer(),
    POSTERN_DATA_DIR: dataDir,
    PORT: String(ports.web),
    POSTERN_WEB_HOST: '127.0.0.1',
    POSTERN_SMTP_PORT: String(ports.smtp),
    POSTERN_SUBMISSION_PORT: String(ports.submission),
    POSTERN_SMTPS_PORT: String(ports.smtps),
    ...o.env,
  };
  delete (env as Record<string, string | undefined>).AUTH_SECRET;
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), POSTERN_BIN, 'serve', ...(o.role ? ['--role', o.role] : [])], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(o.user ?? {}) });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postern did not become ready in time:\n${out}`)), o.timeoutMs ?? 90_000);
    const check = () => {
      if (out.includes('postern: ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postern exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    proc,
    dataDir,
    ports,
    webUrl: `http://127.0.0.1:${ports.web}`,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.once('exit', (code) => {
          clearTimeout(t);
          if (!o.keepData && !o.dataDir) rmSync(dataDir, { recursive: true, force: true });
          resolve(code);
        });
        proc.kill(signal);
      }),
  };
};
