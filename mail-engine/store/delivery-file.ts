// A message delivered into a Maildir before its 250: the file is created exclusively in the
// mailbox's tmp/, written, fsync'd, renamed into new/, and new/ is fsync'd, so the delivery
// survives a power cut before the client is told the message is ours. The queue store does
// it: on SQLite its writer thread (synchronously, which the thread is for: the event loop
// that runs the SMTP sessions posts one message and gets one reply, instead of being woken
// by five thread-pool round trips), and directories written by several deliveries of one
// batch are fsync'd once; on PostgreSQL the thread pool, for each delivery.
import { closeSync, fsyncSync, openSync, promises as fs, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readBody, readBodySync, type BodyFile } from './message-body';

export type DeliveryFile = {
  /** The name in the mailbox's tmp/ (absolute); the directories exist. */
  tmp: string;
  /** The name in new/ it is renamed to (absolute). */
  path: string;
  /** The file's start (all of it for most messages), in one buffer (moved to the writer thread, not copied). */
  data: Uint8Array;
  /** The rest of a large message: its spool file, copied a piece at a time. */
  tail?: BodyFile;
};

/** Writes, fsyncs and renames the file into place; its directory is left to fsync (see fsyncDirsSync). */
export const placeFileSync = (f: DeliveryFile) => {
  const fd = openSync(f.tmp, 'wx', 0o600);
  try {
    try {
      for (let at = 0; at < f.data.length; ) at += writeSync(fd, f.data, at, f.data.length - at);
      if (f.tail) for (const piece of readBodySync([f.tail])) for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at, piece.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(f.tmp, f.path);
  } catch (e) {
    try {
      unlinkSync(f.tmp);
    } catch {
      // not there
    }
    throw e;
  }
};

/** fsyncs each directory once; returns the directories that failed, with their error. */
export const fsyncDirsSync = (dirs: Iterable<string>) => {
  const failed = new Map<string, unknown>();
  for (const dir of new Set(dirs)) {
    try {
      const fd = openSync(dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      failed.set(dir, e);
    }
  }
  return failed;
};

/** The same on the thread pool, one delivery at a time (the direct store). */
export const deliverFile = async (f: DeliveryFile) => {
  const fh = await fs.open(f.tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(f.data);
      if (f.tail) for await (const piece of readBody([f.tail])) await fh.writeFile(piece);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(f.tmp, f.path);
  } catch (e) {
    await fs.unlink(f.tmp).catch(() => {});
    throw e;
  }
  const dir = await fs.open(path.dirname(f.path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
};
