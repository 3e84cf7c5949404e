// A message as it arrives in DATA: the first postern_body_memory_limit bytes in memory (its
// header section among them), the rest written to a spool file chunk by chunk, each write
// awaited before the next chunk is read, so a fast client is slowed to the disk's pace
// through TCP back-pressure instead of filling memory. The file is a working copy under
// <dataDir>/spool/incoming: the queue (or the Maildir) holds the durable one before the 250,
// and the session removes the file when the transaction ends, whatever its outcome.
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { MessageBody } from '../store/message-body';

export const createBodySpool = (dir: string, name: string, memoryLimit: number) => {
  const memory: Buffer[] = [];
  let inMemory = 0;
  let fh: FileHandle | undefined;
  let file: string | undefined;
  let spooled = 0;
  return {
    /** Keeps a chunk (in memory while there is room, in the file after). */
    async push(chunk: Buffer) {
      if (!file && inMemory + chunk.length <= memoryLimit) {
        memory.push(chunk);
        inMemory += chunk.length;
        return;
      }
      if (!file) {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        file = path.join(dir, name);
        fh = await fs.open(file, 'wx', 0o600);
      }
      await fh!.writeFile(chunk);
      spooled += chunk.length;
    },
    /** The message: its chunks, and the file with the rest when there is one. */
    async finish(): Promise<MessageBody> {
      await fh?.close();
      fh = undefined;
      return file ? [...memory, { file, size: spooled }] : memory;
    },
    /** The transaction is over: the working file goes. */
    async discard() {
      await fh?.close().catch(() => {});
      fh = undefined;
      if (file) await fs.unlink(file).catch(() => {});
      memory.length = 0;
    },
  };
};

export type BodySpool = ReturnType<typeof createBodySpool>;
