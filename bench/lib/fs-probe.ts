// How much creating a file costs in a directory right now. On ext4 without a journal (this
// machine's disk) a file created in a block group where many inodes were freed in the last
// minutes costs up to 50 times more: the inode allocator checks each recently deleted inode
// and skips it (fs/ext4/ialloc.c, recently_deleted()), so a creation can say more about
// what ran before than about the mail server. The bench measures that part (the open that
// allocates the inode) apart from the write and fsync, waits (bounded) for it to settle,
// and prints both with the results.
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Milliseconds per file, over `n` files of 2 KB in a new directory under `dir`: `create` is
 * the open that allocates the inode; `whole` adds the write, fsync and rename into new/.
 */
export const fileCreateMs = (dir: string, n = 200) => {
  const probe = mkdtempSync(path.join(dir, '.fs-probe-'));
  mkdirSync(path.join(probe, 'tmp'));
  mkdirSync(path.join(probe, 'new'));
  const data = Buffer.alloc(2048, 'x');
  let create = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = path.join(probe, 'tmp', String(i));
    const t = performance.now();
    const fd = openSync(f, 'wx');
    create += performance.now() - t;
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(f, path.join(probe, 'new', String(i)));
  }
  const whole = (performance.now() - t0) / n;
  rmSync(probe, { recursive: true, force: true });
  return { create: create / n, whole };
};

/** Waits (at most `limitMs`) until allocating a file's inode costs under `goodMs`; returns the last measure. */
export const settleFileCreation = async (dir: string, log: (s: string) => void, goodMs = 0.15, limitMs = 300_000) => {
  const end = Date.now() + limitMs;
  let ms = fileCreateMs(dir);
  while (ms.create > goodMs && Date.now() < end) {
    log(`  creating a file costs ${ms.create.toFixed(2)} ms here (recently deleted inodes nearby); waiting for it to settle…`);
    await new Promise((r) => setTimeout(r, 20_000));
    ms = fileCreateMs(dir);
  }
  return ms;
};
