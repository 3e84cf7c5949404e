// A message's content as the engine carries it: buffers in memory and, for a message larger
// than postern_body_memory_limit, one file that holds the rest. The file is where the SMTP
// session spooled the message as it arrived (smtp/body-spool.ts), or where a delivery read it
// back from the queue's MessagePart rows (queue/queue-manager.ts). Whoever needs the content
// reads it piece by piece from here, so the memory a message takes is bounded by the limit
// and a piece, never by its size. The file is a working copy, not the durable one: that is
// the queue's rows (or the delivered Maildir file), written from it before the 250.
import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import { Readable } from 'node:stream';

export type BodyFile = { file: string; size: number };
/** In order: buffers (a Uint8Array after crossing to a thread), then at most one file, last. */
export type MessageBody = (Uint8Array | BodyFile)[];

/** The size of a queue MessagePart row, and of the pieces a file is read in. */
export const PART_SIZE = 1 << 20;

export const isBodyFile = (p: Uint8Array | BodyFile): p is BodyFile => typeof (p as BodyFile).file === 'string';

export const bodySize = (body: MessageBody) => body.reduce((n, p) => n + (isBodyFile(p) ? p.size : p.byteLength), 0);

/** The buffers of a body held wholly in memory, or undefined when part of it is in a file. */
export const inMemory = (body: MessageBody): Buffer[] | undefined =>
  body.some(isBodyFile) ? undefined : body.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from((p as Uint8Array).buffer, (p as Uint8Array).byteOffset, (p as Uint8Array).byteLength)));

/** The buffers before the file: the start of the message (its header section, within the limit). */
export const memoryPart = (body: MessageBody): Buffer => {
  const buffers = body.filter((p): p is Uint8Array => !isBodyFile(p));
  return buffers.length === 1 ? Buffer.from(buffers[0]!.buffer, buffers[0]!.byteOffset, buffers[0]!.byteLength) : Buffer.concat(buffers);
};

export const fileOf = (body: MessageBody): BodyFile | undefined => body.find(isBodyFile);

/** The body in pieces of at most PART_SIZE from its file, synchronously (the writer thread; a SQL unit of work). */
export function* readBodySync(body: MessageBody): Generator<Uint8Array> {
  for (const p of body) {
    if (!isBodyFile(p)) {
      yield p;
      continue;
    }
    const fd = openSync(p.file, 'r');
    try {
      for (let at = 0; at < p.size; ) {
        const piece = Buffer.allocUnsafe(Math.min(PART_SIZE, p.size - at));
        const n = readSync(fd, piece, 0, piece.length, at);
        if (n === 0) throw new Error(`${p.file}: ended at ${at} of ${p.size} bytes`);
        at += n;
        yield n === piece.length ? piece : piece.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The same on the thread pool. */
export async function* readBody(body: MessageBody): AsyncGenerator<Buffer> {
  for (const p of body) {
    if (!isBodyFile(p)) {
      yield Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      continue;
    }
    const fh = await fs.open(p.file, 'r');
    try {
      for (let at = 0; at < p.size; ) {
        const piece = Buffer.allocUnsafe(Math.min(PART_SIZE, p.size - at));
        const { bytesRead } = await fh.read(piece, 0, piece.length, at);
        if (bytesRead === 0) throw new Error(`${p.file}: ended at ${at} of ${p.size} bytes`);
        at += bytesRead;
        yield bytesRead === piece.length ? piece : piece.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
}

/** A fresh stream of the body (one per reader: an SMTP attempt, a signer, a verifier). */
export const bodyStream = (body: MessageBody): Readable => Readable.from(readBody(body), { objectMode: false });

/** How many MessagePart rows the file of a body makes. */
export const partsOf = (body: MessageBody) => Math.ceil((fileOf(body)?.size ?? 0) / PART_SIZE);
