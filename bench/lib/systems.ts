// The two systems under test, configured alike: Postern (the real `postern serve --role
// engine`, as `npm start` runs it) and a private Postfix 3.7 (Debian's package) on its own
// loopback port. Both accept mail for user@bench.test and deliver it to one Maildir
// (Postfix: its virtual(8) agent; Postern: its Maildir transport), or relay everything to
// a relayhost. Both keep their default limits; both have smtpd_error_sleep_time = 0.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Removes everything the run wrote (call once, at the very end). */
export const removeBenchDir = () => rmSync(BENCH_DIR, { recursive: true, force: true });
import path from 'node:path';
import { maildirFor } from '../../mail-engine/delivery/deliver-maildir';
import { startReferencePostfix } from '../../test/helpers/postfix-reference';
import { POSTERN_BIN, ROOT, startPostern } from '../../test/helpers/start-postern';

export type Mode = { kind: 'maildir' } | { kind: 'relay'; relayPort: number };

export type System = {
  name: 'Postern' | 'Postfix';
  port: number;
  /** Root of the process tree whose CPU and memory count (Postern; Postfix's master). */
  pid: number;
  /** The Maildir user@bench.test receives into (maildir mode). */
  maildir: string;
  stop(): Promise<void>;
};

export const RECIPIENT = 'user@bench.test';

/**
 * Where both systems keep their files: a fresh directory made for this run and removed only
 * at its end. On ext4 without a journal a file created in a block group where many inodes
 * were freed in the last minutes costs up to 50 times more (the inode allocator skips
 * recently deleted inodes one by one), so nothing is deleted between measurements, and each
 * system's deletions (Postfix removes a queue file per message; Postern deletes none) must
 * count against itself only. ext4 puts a file in its directory's block group and a new
 * directory near its parent's, so both systems, and the runs before, would share one
 * group; with the top-directory flag (chattr +T) on this directory, ext4 spreads its
 * subdirectories (one per system) over block groups of their own.
 */
const benchRoot = process.env.BENCH_DIR ?? path.join(ROOT, 'bench', '.work');
mkdirSync(benchRoot, { recursive: true });
export const BENCH_DIR = mkdtempSync(path.join(benchRoot, 'run-'));
// Postfix's daemons (user postfix) and its virtual agent (nobody) must traverse it.
chmodSync(BENCH_DIR, 0o755);
/** Whether BENCH_DIR has ext4's top-directory flag (other file systems have no such flag). */
export const BENCH_DIR_SPREAD = (() => {
  if (process.env.BENCH_SPREAD === '0') return false;
  try {
    execFileSync('chattr', ['+T', BENCH_DIR], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export const startPosternSystem = async (mode: Mode, o: { databaseUrl?: string; trustLoopback?: boolean; nodeArgs?: string[] } = {}): Promise<System & { dataDir: string; cli(args: string[], input?: string): string }> => {
  const p = await startPostern({
    role: 'engine',
    dataDir: mkdtempSync(path.join(BENCH_DIR, 'postern-')),
    env: { POSTERN_ADMIN_PASSWORD: 'bench-admin-pw-1', POSTERN_NODE_ID: 'bench', ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}) },
    // BENCH_PROFILE=DIR writes a V8 CPU profile of the engine there (for flame graphs).
    nodeArgs: [...(o.nodeArgs ?? []), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])],
  });
  try {
    return await configurePostern(p, mode, o);
  } catch (e) {
    await p.stop();
    throw e;
  }
};

const configurePostern = async (p: Awaited<ReturnType<typeof startPostern>>, mode: Mode, o: { databaseUrl?: string; trustLoopback?: boolean }) => {
  const cli = (args: string[], input = '') =>
    execFileSync(process.execPath, [POSTERN_BIN, ...args], {
      input,
      env: { ...process.env, POSTERN_DATA_DIR: p.dataDir, ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}) },
    }).toString();
  // The recipient is local only when delivering to Maildir; in relay mode bench.test is a
  // remote domain and the trusted load (127.0.0.0/8) relays to it.
  if (mode.kind === 'maildir') {
    cli(['domain', 'add', 'bench.test', '--local']);
    cli(['user', 'add', RECIPIENT, '--password-stdin'], 'bench-user-password-1\n');
  }
  if (o.trustLoopback !== false) cli(['network', 'add', '127.0.0.0/8', '--confirm-wide']);
  cli(['set', 'smtpd_error_sleep_time=0', 'smtp_tls_security_level=none', ...(mode.kind === 'relay' ? [`relayhost=[127.0.0.1]:${mode.relayPort}`] : [])]);
  await new Promise((r) => setTimeout(r, 500));
  return {
    name: 'Postern' as const,
    port: p.ports.smtp,
    pid: p.proc.pid!,
    dataDir: p.dataDir,
    maildir: maildirFor(path.join(p.dataDir, 'mail'), RECIPIENT),
    cli,
    stop: async () => {
      await p.stop();
    },
  };
};

export const startPostfixSystem = async (mode: Mode): Promise<System> => {
  const base = mkdtempSync(path.join(BENCH_DIR, 'postfix-'));
  execFileSync('chmod', ['755', base]);
  const vbase = path.join(base, 'vmail');
  mkdirSync(vbase, { recursive: true });
  chownSync(vbase, 65534, 65534);
  writeFileSync(path.join(base, 'vmaps'), `${RECIPIENT} bench.test/user/Maildir/\n`);
  const common = 'compatibility_level = 3.6\nmyhostname = ref.bench.test\nmydestination =\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nsmtp_tls_security_level = none\n';
  const mainCf =
    mode.kind === 'maildir'
      ? `${common}virtual_mailbox_domains = bench.test\nvirtual_mailbox_base = ${vbase}\nvirtual_mailbox_maps = hash:${path.join(base, 'vmaps')}\nvirtual_uid_maps = static:65534\nvirtual_gid_maps = static:65534\nvirtual_minimum_uid = 100\n`
      : `${common}relayhost = [127.0.0.1]:${mode.relayPort}\n`;
  const ref = await startReferencePostfix({ mainCf, localRecipients: [], saslUsers: [], baseDir: base });
  execFileSync('postmap', ['-c', ref.dir, path.join(base, 'vmaps')]);
  execFileSync('postfix', ['-c', ref.dir, 'reload'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const pid = Number(readFileSync(path.join(ref.dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
  return {
    name: 'Postfix',
    port: ref.port,
    pid,
    maildir: path.join(vbase, 'bench.test', 'user', 'Maildir'),
    stop: async () => {
      await ref.stop({ keepFiles: true });
    },
  };
};
