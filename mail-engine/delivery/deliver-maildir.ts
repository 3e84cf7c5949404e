// Local delivery to Maildir (the format Dovecot reads): the message is written to tmp/,
// fsync'd, then linked into new/ under a unique name, so a reader never sees a partial
// file. Layout: <dataDir>/mail/<domain>/<user>/Maildir (Dovecot: maildir:…/%d/%n/Maildir).
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeliveryOutcome } from './classify-reply';

let counter = 0;

export const maildirFor = (mailRoot: string, address: string) => {
  const at = address.lastIndexOf('@');
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return path.join(mailRoot, safe(address.slice(at + 1)), safe(address.slice(0, at)), 'Maildir');
};

const usage = (dir: string): number => {
  let total = 0;
  for (const sub of ['new', 'cur']) {
    try {
      for (const n of readdirSync(path.join(dir, sub))) total += statSync(path.join(dir, sub, n)).size;
    } catch {
      /* empty */
    }
  }
  return total;
};

export const deliverToMaildir = (mailRoot: string, address: string, headers: string, message: Buffer, quotaBytes: number): DeliveryOutcome => {
  const dir = maildirFor(mailRoot, address);
  const size = Buffer.byteLength(headers) + message.length;
  if (quotaBytes > 0 && usage(dir) + size > quotaBytes) {
    return { kind: 'bounced', dsn: '5.2.2', text: 'cannot update mailbox: Disk quota exceeded', relay: 'local' };
  }
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  const name = `${Math.floor(Date.now() / 1000)}.P${process.pid}Q${++counter}R${Math.random().toString(36).slice(2, 8)}.${os.hostname().replace(/[/:]/g, '_')},S=${size}`;
  const tmp = path.join(dir, 'tmp', name);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, headers);
    writeSync(fd, message);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  linkSync(tmp, path.join(dir, 'new', name));
  unlinkSync(tmp);
  return { kind: 'sent', dsn: '2.0.0', text: 'delivered to maildir', relay: 'local' };
};
