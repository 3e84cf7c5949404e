// Local delivery to Maildir (the format Dovecot reads): the message is written to tmp/,
// fsync'd, then renamed into new/ under a unique name, so a reader never sees a partial
// file and a delivered message survives a power cut. Layout:
// <dataDir>/mail/<domain>/<user>/Maildir (Dovecot: mail_location = maildir:…/%d/%n/Maildir).
// Asynchronous file operations, so deliveries overlap their fsyncs on libuv's thread pool
// instead of stalling the SMTP sessions that share the event loop.
import { promises as fs, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeliveryOutcome } from './classify-reply';

let counter = 0;
const host = os.hostname().replace(/[/:]/g, '_');

export const maildirFor = (mailRoot: string, address: string) => {
  const at = address.lastIndexOf('@');
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return path.join(mailRoot, safe(address.slice(at + 1)), safe(address.slice(0, at)), 'Maildir');
};

/** Bytes in new/ and cur/ (what a quota counts). */
export const maildirUsage = (dir: string): number => {
  let total = 0;
  for (const sub of ['new', 'cur']) {
    let names: string[] = [];
    try {
      names = readdirSync(path.join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names) {
      // Maildir++ names carry the size (",S=1234"): no stat needed for our own files.
      const m = /,S=(\d+)/.exec(n);
      if (m) total += Number(m[1]);
      else {
        try {
          total += statSync(path.join(dir, sub, n)).size;
        } catch {
          /* expunged meanwhile */
        }
      }
    }
  }
  return total;
};

/**
 * Maildir writer with a cache of the directories it created and, for mailboxes with a quota,
 * of their usage (rescanned after a minute, since IMAP clients expunge behind our back).
 */
export const createMaildirWriter = (mailRoot: string) => {
  const made = new Set<string>();
  const usage = new Map<string, { bytes: number; at: number }>();
  const ensure = async (dir: string) => {
    if (made.has(dir)) return;
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(path.join(dir, sub), { recursive: true, mode: 0o700 });
    made.add(dir);
  };
  return {
    deliver: async (address: string, headers: string, message: Buffer, quotaBytes: number): Promise<DeliveryOutcome> => {
      const dir = maildirFor(mailRoot, address);
      const size = Buffer.byteLength(headers) + message.length;
      let used: { bytes: number; at: number } | undefined;
      if (quotaBytes > 0) {
        used = usage.get(dir);
        if (!used || Date.now() - used.at > 60_000) usage.set(dir, (used = { bytes: maildirUsage(dir), at: Date.now() }));
        if (used.bytes + size > quotaBytes) {
          return { kind: 'bounced', dsn: '5.2.2', text: `cannot update mailbox ${address}: Disk quota exceeded`, relay: 'local' };
        }
      }
      await ensure(dir);
      const name = `${Math.floor(Date.now() / 1000)}.P${process.pid}Q${++counter}R${Math.random().toString(36).slice(2, 8)}.${host},S=${size}`;
      const tmp = path.join(dir, 'tmp', name);
      const fh = await fs.open(tmp, 'wx', 0o600);
      try {
        const head = Buffer.from(headers);
        const { bytesWritten } = await fh.writev([head, message]);
        if (bytesWritten < size) await fh.writeFile(Buffer.concat([head, message]).subarray(bytesWritten));
        await fh.sync();
      } finally {
        await fh.close();
      }
      // rename(2) is atomic and the name is unique: the message appears in new/ whole.
      await fs.rename(tmp, path.join(dir, 'new', name));
      if (used) used.bytes += size;
      return { kind: 'sent', dsn: '2.0.0', text: 'delivered to maildir', relay: 'local' };
    },
  };
};

export type MaildirWriter = ReturnType<typeof createMaildirWriter>;
