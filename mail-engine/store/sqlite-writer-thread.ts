// The engine's SQLite writer thread: it owns the connection that writes the queue and the
// delivery log, and makes Maildir deliveries at acceptance durable (delivery-file.ts).
// Requests that arrive while a commit (and its fsync) runs are gathered and run together in
// the next transaction — group commit — each inside its own savepoint so one failing
// request does not fail the others. The commit is durable (synchronous = FULL) when any
// request in it needs that (accepting a message); replies go out only after it.
// Waiting for a lock blocks this thread only, never the SMTP sessions.
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { fsyncDirsSync, placeFileSync } from './delivery-file';
import { isSqliteBusy, openSqlite } from './sql-driver';
import { DURABLE, queueWork } from './queue-store';
import type { WorkerReply, WorkerRequest } from './sqlite-writer';

const port = parentPort!;
const { file } = workerData as { file: string };
const c = await openSqlite(file, 5_000);

/** The requests that are units of SQL work (the rest are Maildir deliveries). */
type RowRequest = Exclude<WorkerRequest, { op: 'deliverFile' }>;

const runOne = (r: RowRequest): unknown => {
  switch (r.op) {
    case 'insertMessages':
      return c.drive(() => queueWork.insertMessages('sqlite', ...r.args));
    case 'leaseDue':
      return c.drive(() => queueWork.leaseDue('sqlite', ...r.args));
    case 'readPart':
      return c.drive(() => queueWork.readPart(...r.args));
    case 'recordOutcomes':
      return c.drive(() => queueWork.recordOutcomes(...r.args));
    case 'releaseLeases':
      return c.drive(() => queueWork.releaseLeases(...r.args));
    case 'insertEvents':
      return c.drive(() => queueWork.insertEvents(...r.args));
    case 'eventsThrough':
      return c.drive(() => queueWork.eventsThrough(...r.args));
    case 'upsertNode':
      return c.drive(() => queueWork.upsertNode(...r.args));
  }
};

const errorOf = (e: unknown) => ({ message: (e as Error).message ?? String(e), code: (e as { code?: string }).code });

let pending: WorkerRequest[] = [];
let scheduled = false;

/**
 * Maildir deliveries of the batch (see delivery-file.ts), answered before its transaction:
 * each file is written, fsync'd and renamed; then each new/ directory they went into is
 * fsync'd once for all of them.
 */
const deliverFiles = (requests: WorkerRequest[]) => {
  const placed: { id: number; dir: string }[] = [];
  for (const r of requests) {
    if (r.op !== 'deliverFile') continue;
    try {
      placeFileSync(r.args[0]);
      placed.push({ id: r.id, dir: path.dirname(r.args[0].path) });
    } catch (e) {
      port.postMessage({ id: r.id, ok: false, error: errorOf(e) } satisfies WorkerReply);
    }
  }
  const failed = fsyncDirsSync(placed.map((p) => p.dir));
  for (const p of placed) {
    const e = failed.get(p.dir);
    port.postMessage((e ? { id: p.id, ok: false, error: errorOf(e) } : { id: p.id, ok: true, value: undefined }) satisfies WorkerReply);
  }
};

const commitBatch = () => {
  scheduled = false;
  deliverFiles(pending);
  const batch = pending.filter((r): r is RowRequest => r.op !== 'deliverFile');
  pending = [];
  if (!batch.length) return;
  const replies: WorkerReply[] = [];
  for (let attempt = 0; ; attempt++) {
    replies.length = 0;
    try {
      c.durability(batch.some((r) => DURABLE[r.op]));
      c.db.exec('BEGIN IMMEDIATE');
      for (const r of batch) {
        c.db.exec('SAVEPOINT one');
        try {
          replies.push({ id: r.id, ok: true, value: runOne(r) });
          c.db.exec('RELEASE one');
        } catch (e) {
          c.db.exec('ROLLBACK TO one');
          c.db.exec('RELEASE one');
          replies.push({ id: r.id, ok: false, error: errorOf(e) });
        }
      }
      c.db.exec('COMMIT');
      break;
    } catch (e) {
      if (c.db.inTransaction) c.db.exec('ROLLBACK');
      if (isSqliteBusy(e) && attempt < 20) continue;
      replies.length = 0;
      for (const r of batch) replies.push({ id: r.id, ok: false, error: errorOf(e) });
      break;
    }
  }
  for (const reply of replies) port.postMessage(reply);
};

port.on('message', (r: WorkerRequest | 'close') => {
  if (r === 'close') {
    if (pending.length) commitBatch();
    c.db.close();
    port.close();
    return;
  }
  pending.push(r);
  if (!scheduled) {
    scheduled = true;
    setImmediate(commitBatch);
  }
});
port.postMessage({ ready: true });
