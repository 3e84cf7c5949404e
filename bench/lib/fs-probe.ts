// How much creating a file costs in a directory right now. On ext4 a file created near
// many recently deleted ones costs up to 30 times more for a few minutes (the inode
// allocator skips them one by one), which would say more about the last test run than
// about the mail server. The bench measures it, waits (bounded) for it to settle, and
// prints it with the results.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Milliseconds per create + write + fsync + rename of a 2 KB file, over `n` files. */
export const fileCreateMs = (dir: string, n = 200) => {
  const probe = path.join(dir, `.fs-probe-${process.pid}`);
  mkdirSync(path.join(probe, 'tmp'), { recursive: true });
  mkdirSync(path.join(probe, 'new'), { recursive: true });
  const data = Buffer.alloc(2048, 'x');
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const f = path.join(probe, 'tmp', String(i));
    const fd = openSync(f, 'wx');
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(f, path.join(probe, 'new', String(i)));
  }
  const ms = (performance.now() - t0) / n;
  rmSync(probe, { recursive: true, force: true });
  return ms;
};

/** Waits (at most `limitMs`) until creating a file costs under `goodMs`; returns the last measure. */
export const settleFileCreation = async (dir: string, log: (s: string) => void, goodMs = 0.4, limitMs = 300_000) => {
  const end = Date.now() + limitMs;
  let ms = fileCreateMs(dir);
  while (ms > goodMs && Date.now() < end) {
    log(`  file creation costs ${ms.toFixed(2)} ms here (recently deleted inodes nearby); waiting for it to settle…`);
    await new Promise((r) => setTimeout(r, 20_000));
    ms = fileCreateMs(dir);
  }
  return ms;
};
