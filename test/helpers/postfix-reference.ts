// A private Postfix 3.7 instance (Debian's package) on a loopback port, configured from a
// main.cf fragment, with Dovecot's auth service for SASL — the reference the differential
// tests compare Postern against. Everything lives in a temporary directory and stops
// afterwards; no system Postfix is touched.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { waitForPort } from './wait';

export const postfixAvailable = () => {
  try {
    execFileSync('sh', ['-c', 'command -v postfix && command -v postmap && command -v dovecot'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const MASTER_CF = (port: number) => `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

export type ReferencePostfix = { port: number; dir: string; log: () => string; stop: (o?: { keepFiles?: boolean }) => Promise<void> };

export const startReferencePostfix = async (o: {
  mainCf: string;
  localRecipients: string[];
  saslUsers: { user: string; password: string }[];
  /** Where its directory is made (default: the system's temporary directory). */
  baseDir?: string;
  /** Lines after the helper's own (which relax the error limits): to test those limits. */
  tailCf?: string;
}): Promise<ReferencePostfix> => {
  const dir = mkdtempSync(path.join(o.baseDir ?? os.tmpdir(), 'postern-ref-'));
  // Postfix's master opens files under data_directory as mail_owner: the path must be traversable.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const authPort = await freePort();
  for (const d of ['queue', 'data', 'dovecot-run', 'dovecot-state']) mkdirSync(path.join(dir, d));
  chownSync(path.join(dir, 'data'), Number(execFileSync('id', ['-u', 'postfix']).toString().trim()), 0);
  writeFileSync(path.join(dir, 'users'), o.localRecipients.map((r) => `${r} ok`).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'main.cf'),
    `${o.mainCf}
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = ${o.baseDir ?? os.tmpdir()}
maillog_file = ${dir}/maillog
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
local_recipient_maps = hash:${dir}/users
# No reverse lookup of clients: it would ask the machine's resolver, which is not on
# loopback (every client is "unknown", as Postern's tests expect); seen to stall greetings.
smtpd_peername_lookup = no
alias_maps =
alias_database =
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${authPort}
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
${o.tailCf ?? ''}
`,
  );
  writeFileSync(path.join(dir, 'master.cf'), MASTER_CF(port));
  writeFileSync(path.join(dir, 'dovecot-users'), o.saslUsers.map((u) => `${u.user}:{PLAIN}${u.password}`).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/dovecot-run
state_dir = ${dir}/dovecot-state
log_path = ${dir}/dovecot.log
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/dovecot-users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/tmp
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = ${authPort}
  }
}
service anvil {
  chroot =
}
`,
  );
  // Every command has a timeout: a start that never returns (seen once: `master -w` waiting
  // for a master that never came up) must fail the test, not freeze its worker for good.
  execFileSync('postmap', ['-c', dir, path.join(dir, 'users')], { timeout: 30_000 });
  // stdio ignored: the daemon keeps inherited pipes open, which would block execFileSync.
  execFileSync('dovecot', ['-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore', timeout: 30_000 });
  execFileSync('postfix', ['-c', dir, 'start'], { stdio: 'ignore', timeout: 60_000 });
  // Wait until smtpd answers.
  await waitForPort(port, { ms: 20_000, greeting: true, failure: () => `reference Postfix did not start:\n${safeRead(path.join(dir, 'maillog'))}` });
  return {
    port,
    dir,
    log: () => safeRead(path.join(dir, 'maillog')),
    stop: async (so: { keepFiles?: boolean } = {}) => {
      try {
        execFileSync('postfix', ['-c', dir, 'stop'], { stdio: 'ignore', timeout: 30_000 });
      } catch {
        /* already stopped */
      }
      try {
        process.kill(Number(readFileSync(path.join(dir, 'dovecot-run', 'master.pid'), 'utf8')));
      } catch {
        /* already stopped */
      }
      await new Promise((r) => setTimeout(r, 300));
      if (!so.keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
};

const safeRead = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
