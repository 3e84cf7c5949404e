// The spool file of a single-mailbox message, written by the store that commits its queue
// row, so that "the message is durable" is one request: the file is created exclusively,
// written and fsync'd before the row's transaction starts, and removed again when the row
// does not commit. In the SQLite writer thread this is synchronous (the thread does nothing
// else meanwhile), so the event loop that runs the SMTP sessions posts one message per
// accepted mail instead of waiting on four thread-pool round trips (open, write, fsync,
// close), each of which wakes it again.
import { closeSync, fsyncSync, openSync, promises as fs, unlinkSync, writeSync } from 'node:fs';

export type SpoolFile = {
  /** Absolute path; the caller has made sure its directory exists. */
  file: string;
  /** The whole file, in one buffer (it crosses to the writer thread, moved, not copied). */
  data: Uint8Array;
};

const writeAllSync = (fd: number, data: Uint8Array) => {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
};

/** Writes and fsyncs every file; on any failure removes those it created and throws. */
export const writeSpoolFilesSync = (files: SpoolFile[]) => {
  const done: string[] = [];
  try {
    for (const f of files) {
      const fd = openSync(f.file, 'wx', 0o600);
      done.push(f.file);
      try {
        writeAllSync(fd, f.data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    removeSpoolFilesSync(done);
    throw e;
  }
};

export const removeSpoolFilesSync = (files: string[]) => {
  for (const f of files) {
    try {
      unlinkSync(f);
    } catch {
      // already gone
    }
  }
};

/** The same on the thread pool, all files at once (the direct store: PostgreSQL, tools). */
export const writeSpoolFiles = async (files: SpoolFile[]) => {
  const created: string[] = [];
  const results = await Promise.allSettled(
    files.map(async (f) => {
      const fh = await fs.open(f.file, 'wx', 0o600);
      created.push(f.file);
      try {
        await fh.writeFile(f.data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await removeSpoolFiles(created);
    throw failed.reason;
  }
};

export const removeSpoolFiles = (files: string[]) => Promise.all(files.map((f) => fs.unlink(f).catch(() => {})));
