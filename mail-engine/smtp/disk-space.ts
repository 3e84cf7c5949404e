// Free space where accepted mail is written (the data directory), for Postfix's check at
// MAIL FROM: below queue_minfree, or below 1.5 times message_size_limit, a new transaction
// is refused with 452 4.3.1 Insufficient system storage instead of failing after the whole
// DATA. One statfs(2) a second at most, shared by the sessions that ask meanwhile.
import { promises as fs } from 'node:fs';

const FRESH_MS = 1000;
/** Postfix's smtpd_space_multf: room for one and a half messages of the largest size. */
export const SPACE_FACTOR = 1.5;

export const createDiskSpace = (dir: string) => {
  let last: { at: number; bytes: number } | undefined;
  let asking: Promise<number> | undefined;
  const free = async (): Promise<number> => {
    if (last && Date.now() - last.at < FRESH_MS) return last.bytes;
    asking ??= fs
      .statfs(dir)
      .then((s) => {
        last = { at: Date.now(), bytes: s.bavail * s.bsize };
        return last.bytes;
      }, () => Number.POSITIVE_INFINITY) // cannot tell: the write itself will say
      .finally(() => (asking = undefined));
    return asking;
  };
  return {
    free,
    /** Why a new transaction cannot be taken now, or undefined when there is room. */
    shortage: async (minfree: number, messageSizeLimit: number) => {
      const bytes = await free();
      const need = Math.max(minfree, messageSizeLimit * SPACE_FACTOR);
      return bytes < need ? `not enough free space in mail queue: ${bytes} bytes < ${minfree > messageSizeLimit * SPACE_FACTOR ? 'queue_minfree' : `${SPACE_FACTOR}*message size limit`}` : undefined;
    },
  };
};

export type DiskSpace = ReturnType<typeof createDiskSpace>;
