// Local delivery to Maildir (the format Dovecot reads): the message is written to tmp/,
// fsync'd, then renamed into new/ under a unique name, so a reader never sees a partial
// file and a delivered message survives a power cut. Layout:
// <dataDir>/mail/<domain>/<user>/Maildir (Dovecot: mail_location = maildir:…/%d/%n/Maildir).
// Asynchronous file operations, so deliveries overlap their fsyncs on libuv's thread pool
// instead of stalling the SMTP sessions that share the event loop.
//
// A message for a single local mailbox is delivered at acceptance, before its 250 (the
// queue store writes it: see store/delivery-file.ts); it never needs a queue copy.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeliveryFile } from '../store/delivery-file';
import { bodySize, fileOf, isBodyFile, readBody, type MessageBody } from '../store/message-body';
import type { DeliveryOutcome } from './classify-reply';

let counter = 0;
const host = os.hostname().replace(/[/:]/g, '_');

/** Where the Maildirs live under the data directory. */
export const mailRootOf = (dataDir: string) => path.join(dataDir, 'mail');

export const maildirFor = (mailRoot: string, address: string) => {
  const at = address.lastIndexOf('@');
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return path.join(mailRoot, safe(address.slice(at + 1)), safe(address.slice(0, at)), 'Maildir');
};

/**
 * Bytes in new/ and cur/ (what a quota counts). Asynchronous: a big mailbox is listed on
 * the thread pool, not in the event loop that runs the SMTP sessions.
 */
export const maildirUsage = async (dir: string): Promise<number> => {
  let total = 0;
  for (const sub of ['new', 'cur']) {
    const names = await fs.readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const n of names) {
      // Maildir++ names carry the size (",S=1234"): no stat needed for our own files.
      const m = /,S=(\d+)/.exec(n);
      if (m) total += Number(m[1]);
      else total += await fs.stat(path.join(dir, sub, n)).then((s) => s.size, () => 0); // 0: expunged meanwhile
    }
  }
  return total;
};

/** A unique Maildir file name (time, process, counter, random, host; Maildir++ size). */
const uniqueName = (size: number) => `${Math.floor(Date.now() / 1000)}.P${process.pid}Q${++counter}R${Math.random().toString(36).slice(2, 8)}.${host},S=${size}`;

/**
 * Creates `file` from the given pieces and fsyncs it; refuses to overwrite. A write that
 * fails (the disk full) leaves no partial file behind in tmp/. A large message's spool file
 * is copied a piece at a time.
 */
const writeDurably = async (file: string, body: MessageBody) => {
  const fh = await fs.open(file, 'wx', 0o600);
  try {
    try {
      const parts = body.filter((p): p is Uint8Array => !isBodyFile(p));
      const size = parts.reduce((n, p) => n + p.byteLength, 0);
      const { bytesWritten } = await fh.writev(parts);
      if (bytesWritten < size) await fh.writeFile(Buffer.concat(parts).subarray(bytesWritten));
      const tail = fileOf(body);
      if (tail) for await (const piece of readBody([tail])) await fh.writeFile(piece);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await fs.unlink(file).catch(() => {});
    throw e;
  }
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
  const forget = (address: string) => made.delete(maildirFor(mailRoot, address));
  /** Over quota with `size` more bytes? Usage is cached and counted up as we deliver. */
  // Deliveries to one mailbox that find its usage stale share one scan (and so one count).
  const scans = new Map<string, Promise<{ bytes: number; at: number }>>();
  const overQuota = async (dir: string, size: number, quotaBytes: number) => {
    if (quotaBytes <= 0) return { over: false, used: undefined };
    let used = usage.get(dir);
    if (!used || Date.now() - used.at > 60_000) {
      let scan = scans.get(dir);
      if (!scan) {
        scan = maildirUsage(dir)
          .then((bytes) => {
            const entry = { bytes, at: Date.now() };
            usage.set(dir, entry);
            return entry;
          })
          .finally(() => scans.delete(dir));
        scans.set(dir, scan);
      }
      used = await scan;
    }
    return { over: used.bytes + size > quotaBytes, used };
  };
  /**
   * Where a new message of `size` bytes for `address` goes: its names in tmp/ and new/ (the
   * Maildir made), and the quota usage to count it against once it is there — or undefined
   * when it would exceed the quota.
   */
  const place = async (address: string, size: number, quotaBytes: number) => {
    const dir = maildirFor(mailRoot, address);
    const q = await overQuota(dir, size, quotaBytes);
    if (q.over) return undefined;
    await ensure(dir);
    const name = uniqueName(size);
    return { tmp: path.join(dir, 'tmp', name), path: path.join(dir, 'new', name), used: q.used };
  };
  const quotaBounce = (address: string): DeliveryOutcome => ({ kind: 'bounced', dsn: '5.2.2', text: `cannot update mailbox ${address}: Disk quota exceeded`, relay: 'local' });
  const delivered: DeliveryOutcome = { kind: 'sent', dsn: '2.0.0', text: 'delivered to maildir', relay: 'local' };
  return {
    deliver: async (address: string, headers: string, message: MessageBody, quotaBytes: number): Promise<DeliveryOutcome> => {
      const head = Buffer.from(headers);
      const size = head.length + bodySize(message);
      const attempt = async () => {
        const slot = await place(address, size, quotaBytes);
        if (!slot) return quotaBounce(address);
        await writeDurably(slot.tmp, [head, ...message]);
        // rename(2) is atomic and the name is unique: the message appears in new/ whole.
        await fs.rename(slot.tmp, slot.path);
        if (slot.used) slot.used.bytes += size;
        return delivered;
      };
      try {
        return await attempt();
      } catch (e) {
        // The Maildir was removed (or moved) behind our back: make it again, once.
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
        forget(address);
        return attempt();
      }
    },

    /** Forgets that the mailbox's directories exist (they are made again on the next delivery). */
    forget: (address: string) => forget(address),

    /**
     * A message for one mailbox, ready to be delivered at acceptance by the queue store (see
     * store/delivery-file.ts): its names in tmp/ and new/ and its content in one buffer of
     * its own (and a large message's spool file, copied from there); or 'over quota' (the
     * queue then takes it, and bounces it). The Maildir exists on return, and the message
     * counts against the quota from now on.
     */
    prepare: async (address: string, headers: string, message: MessageBody, quotaBytes: number): Promise<DeliveryFile | 'over quota'> => {
      const head = Buffer.from(headers);
      const size = head.length + bodySize(message);
      const slot = await place(address, size, quotaBytes);
      if (!slot) return 'over quota';
      const tail = fileOf(message);
      const buffers = message.filter((p): p is Uint8Array => !isBodyFile(p));
      const data = new Uint8Array(buffers.reduce((n, c) => n + c.byteLength, head.length));
      data.set(head, 0);
      let at = head.length;
      for (const c of buffers) {
        data.set(c, at);
        at += c.byteLength;
      }
      if (slot.used) slot.used.bytes += size;
      return { tmp: slot.tmp, path: slot.path, data, ...(tail ? { tail } : {}) };
    },
  };
};

export type MaildirWriter = ReturnType<typeof createMaildirWriter>;
