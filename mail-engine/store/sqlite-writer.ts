// The main-thread side of the SQLite writer thread (sqlite-writer-thread.ts): a QueueStore
// whose calls are posted to the thread and answered after its (group) commit. If the
// thread dies, the calls in flight fail (the SMTP layer answers 451, deliveries retry) and
// the next call starts a new thread.
import { Worker } from 'node:worker_threads';
import { sqlitePathOf } from '../../prisma/client';
import type { DeliveryFile } from './delivery-file';
import { withIds, type EventMark, type EventRow, type NewMessage, type NodeRow, type QueuedMessage, type QueueStore, type RecipientOutcome } from './queue-store';

export type WorkerRequest =
  | { id: number; op: 'insertMessages'; args: [NewMessage[], string, number] }
  | { id: number; op: 'leaseDue'; args: [string, number, number, Date] }
  | { id: number; op: 'readPart'; args: [string, number] }
  | { id: number; op: 'recordOutcomes'; args: [RecipientOutcome[]] }
  | { id: number; op: 'releaseLeases'; args: [string, number[] | undefined] }
  | { id: number; op: 'insertEvents'; args: [EventRow[], EventMark | undefined] }
  | { id: number; op: 'eventsThrough'; args: [string] }
  | { id: number; op: 'upsertNode'; args: [NodeRow] }
  | { id: number; op: 'deliverFile'; args: [DeliveryFile] };
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { message: string; code?: string } };

const toBuffer = (u: Uint8Array | null) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : null);

export const createWorkerStore = (url: string): QueueStore => {
  const file = sqlitePathOf(url);
  let worker: Worker | undefined;
  let ready: Promise<void> | undefined;
  let nextId = 1;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  // Built apart from `new Worker(...)`: bundlers (vitest's included) rewrite that pattern.
  const entry = new URL('./sqlite-writer-entry.mjs', import.meta.url);
  const start = () => {
    const w = new Worker(entry, { workerData: { file } });
    worker = w;
    ready = new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    w.on('message', (m: WorkerReply | { ready: true }) => {
      if ('ready' in m) return;
      const call = calls.get(m.id);
      if (!call) return;
      calls.delete(m.id);
      if (m.ok) call.resolve(m.value);
      else call.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    });
    const fail = (why: string) => {
      if (worker === w) worker = undefined;
      for (const [id, call] of calls) {
        calls.delete(id);
        call.reject(new Error(`queue writer thread ${why}`));
      }
    };
    w.on('error', (e) => fail(`failed: ${e.message}`));
    w.on('exit', (code) => fail(`exited (${code})`));
    w.unref();
  };

  const call = async <T>(op: WorkerRequest['op'], args: WorkerRequest['args'], transfer: ArrayBuffer[] = []): Promise<T> => {
    if (!worker) start();
    await ready;
    const w = worker!;
    w.ref();
    const id = nextId++;
    try {
      return await new Promise<T>((resolve, reject) => {
        calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.postMessage({ id, op, args }, transfer);
      });
    } finally {
      if (!calls.size) w.unref();
    }
  };

  return {
    insertMessages: async (batch: NewMessage[], owner, leaseMs) => withIds(batch, await call('insertMessages', [batch, owner, leaseMs])),
    // The file's content is moved to the thread, not copied, when its buffer is its own (a
    // view into a shared one, such as Node's Buffer pool, is copied).
    deliverFile: (f) => call('deliverFile', [f], f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength && f.data.buffer instanceof ArrayBuffer ? [f.data.buffer] : []),
    leaseDue: async (owner, limit, leaseMs) =>
      (await call<QueuedMessage[]>('leaseDue', [owner, limit, leaseMs, new Date()])).map((m) => ({ ...m, body: toBuffer(m.body) })),
    readPart: async (queueId, seq) => toBuffer(await call<Uint8Array | null>('readPart', [queueId, seq])),
    recordOutcomes: (outcomes) => call('recordOutcomes', [outcomes]),
    releaseLeases: (owner, keep) => call('releaseLeases', [owner, keep]),
    insertEvents: (rows, mark) => call('insertEvents', [rows, mark]),
    eventsThrough: (nodeId) => call('eventsThrough', [nodeId]),
    upsertNode: (row) => call('upsertNode', [row]),
    close: async () => {
      const w = worker;
      if (!w) return;
      await ready?.catch(() => {});
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage('close');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      worker = undefined;
    },
  };
};
