// Which real services this machine has. With CI=true a missing one is a failure, never a
// silent skip; locally the affected tests are skipped with a visible reason.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const PG_ADMIN_URL = process.env.POSTERN_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 2000).unref();
  });

export const pgAvailable = async () => {
  const u = new URL(PG_ADMIN_URL);
  const ok = await canConnect(u.hostname, Number(u.port || 5432));
  if (!ok && IN_CI) throw new Error(`PostgreSQL is not reachable at ${u.host} (CI=true: this is a failure, not a skip)`);
  return ok;
};

export const hasCommand = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export const requireCommand = (cmd: string) => {
  const ok = hasCommand(cmd) || existsSync(cmd);
  if (!ok && IN_CI) throw new Error(`${cmd} is not installed (CI=true: this is a failure, not a skip)`);
  return ok;
};

/** Debian's python3-dkim (dkimpy), the independent DKIM/ARC verifier, under /usr/bin/python3. */
export const requireDkimpy = () => {
  let ok: boolean;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import dkim'], { stdio: 'ignore' });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && IN_CI) throw new Error('python3-dkim (dkimpy) is missing (CI=true: this is a failure, not a skip); apt-get install python3-dkim');
  return ok;
};
