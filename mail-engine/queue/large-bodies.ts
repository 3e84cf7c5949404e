// A large message's body for delivery (one with MessagePart rows): its start from the row and
// the rest read back from the parts, one at a time, into a working file under
// <dataDir>/spool/deliver, shared by the message's deliveries in one pass and removed when the
// pass ends. Memory per delivery is one part (1 MiB), never the message's size.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileOf, type MessageBody } from '../store/message-body';
import type { QueuedMessage, QueueStore } from '../store/queue-store';

export const spoolDirOf = (dataDir: string, use: 'incoming' | 'deliver') => path.join(dataDir, 'spool', use);

/** Removes working files a killed run left behind (they are copies: the queue has the message). */
export const clearSpool = async (dir: string) => {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await fs.readdir(dir)) await fs.unlink(path.join(dir, name)).catch(() => {});
};

export const createLargeBodies = (store: QueueStore, dir: string) => {
  const open = new Map<string, Promise<MessageBody>>();
  let counter = 0;
  const load = async (m: QueuedMessage): Promise<MessageBody> => {
    const file = path.join(dir, `${m.queueId}.${process.pid}.${++counter}`);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const fh = await fs.open(file, 'wx', 0o600);
    let size = 0;
    try {
      try {
        for (let seq = 0; seq < m.parts; seq++) {
          const piece = await store.readPart(m.queueId, seq);
          if (!piece) throw new Error(`part ${seq + 1} of ${m.parts} is missing from the queue`);
          await fh.writeFile(piece);
          size += piece.length;
        }
      } finally {
        await fh.close();
      }
    } catch (e) {
      await fs.unlink(file).catch(() => {});
      throw e;
    }
    return [m.body!, { file, size }];
  };
  return {
    /** The message's body: at once for one held in its row; read back once per pass for a large one. */
    body(m: QueuedMessage): Promise<MessageBody> {
      if (!m.parts) return Promise.resolve([m.body!]);
      let p = open.get(m.queueId);
      if (!p) {
        p = load(m);
        open.set(m.queueId, p);
      }
      return p;
    },
    /** The pass over the message has ended: its working file goes. */
    async release(queueId: string) {
      const p = open.get(queueId);
      if (!p) return;
      open.delete(queueId);
      const file = fileOf((await p.catch(() => [])) as MessageBody);
      if (file) await fs.unlink(file.file).catch(() => {});
    },
  };
};
