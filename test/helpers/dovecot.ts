// A private Dovecot (Debian's dovecot-imapd and dovecot-lmtpd) on loopback ports: IMAP to
// read back what Postern delivered, LMTP as Postern's local transport. Its mail location is
// Postern's Maildir layout (<root>/<domain>/<user>/Maildir), so the same store can be
// written by either side and read over IMAP. Everything lives in a temporary directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './clients';
import { requireCommand } from './env';
import { freePort } from './ports';

export const dovecotAvailable = () => requireCommand('dovecot') && requireCommand('/usr/lib/dovecot/lmtp') && requireCommand('/usr/lib/dovecot/imap');

/**
 * Dovecot refuses to run mail processes as root, so mail belongs to `nobody` here: its own
 * mail root for LMTP, or a Postern data directory whose engine runs as nobody too — the
 * production arrangement, where Postern and Dovecot share one unprivileged mail user.
 */
export const startDovecot = async (o: { mailRoot: string; users: { address: string; password: string }[] }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-dovecot-'));
  // Dovecot's auth process runs as nobody: it must reach the users file.
  chmodSync(dir, 0o755);
  const imapPort = await freePort();
  const lmtpPort = await freePort();
  for (const d of ['run', 'state']) mkdirSync(path.join(dir, d));
  mkdirSync(o.mailRoot, { recursive: true });
  chownSync(o.mailRoot, 65534, 65534);
  writeFileSync(path.join(dir, 'users'), o.users.map((u) => `${u.address}:{PLAIN}${u.password}`).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${o.mailRoot}/%d/%n/Maildir
default_internal_user = nobody
default_login_user = nobody
lmtp_save_to_detail_mailbox = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${dir}/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${o.mailRoot}/%d/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service anvil {
  chroot =
}
`,
  );
  // stdio ignored: the daemon keeps inherited pipes open, which would block execFileSync.
  execFileSync('dovecot', ['-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  for (const port of [imapPort, lmtpPort]) {
    await waitForPort(port, { ms: 15_000, failure: () => `dovecot did not start:\n${safeRead(path.join(dir, 'dovecot.log'))}` });
  }
  return {
    imapPort,
    lmtpPort,
    log: () => safeRead(path.join(dir, 'dovecot.log')),
    /** Subjects and bodies in INBOX, read with Python's imaplib (a real IMAP client). */
    fetchInbox: async (user: string, password: string) => {
      const r = await run('python3', ['-c', IMAP_FETCH], JSON.stringify({ port: imapPort, user, password }));
      if (r.code !== 0) throw new Error(`imaplib failed: ${r.stderr}\n${safeRead(path.join(dir, 'dovecot.log'))}`);
      return JSON.parse(r.stdout) as string[];
    },
    stop: async () => {
      try {
        process.kill(Number(readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8')));
      } catch {
        /* already stopped */
      }
      await new Promise((r) => setTimeout(r, 300));
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const IMAP_FETCH = String.raw`
import imaplib, json, sys
o = json.load(sys.stdin)
m = imaplib.IMAP4('127.0.0.1', o['port'])
m.login(o['user'], o['password'])
m.select('INBOX', readonly=True)
typ, data = m.search(None, 'ALL')
out = []
for num in data[0].split():
    typ, msg = m.fetch(num, '(RFC822)')
    out.append(msg[0][1].decode('utf-8', 'replace'))
m.logout()
print(json.dumps(out))
`;
import { waitForPort } from './wait';

const safeRead = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
