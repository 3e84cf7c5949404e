// The engine's SQLite writer thread: it owns the connection that writes the queue and the
// delivery log. Requests that arrive while a commit (and its fsync) runs are gathered and
// run together in the next transaction — group commit — each inside its own savepoint so
// one failing request does not fail the others. The commit is durable (synchronous = FULL)
// when any request in it needs that (accepting a message); replies go out only after it.
// Waiting for a lock blocks this thread only, never the SMTP sessions.
import { parentPort, workerData } from 'node:worker_threads';
import { isSqliteBusy, openSqlite } from './sql-driver';
import { DURABLE, queueWork, spoolFilesOf } from './queue-store';
import { removeSpoolFilesSync, writeSpoolFilesSync } from './spool-file';
import type { WorkerReply, WorkerRequest } from './sqlite-writer';

const port = parentPort!;
const { file } = workerData as { file: string };
const c = await openSqlite(file, 5_000);

const runOne = (r: WorkerRequest): unknown => {
  switch (r.op) {
    case 'insertMessages':
      return c.drive(() => queueWork.insertMessages('sqlite', ...r.args));
    case 'leaseDue':
      return c.drive(() => queueWork.leaseDue('sqlite', ...r.args));
    case 'recordOutcomes':
      return c.drive(() => queueWork.recordOutcomes(...r.args));
    case 'releaseLeases':
      return c.drive(() => queueWork.releaseLeases(...r.args));
    case 'insertEvents':
      return c.drive(() => queueWork.insertEvents(...r.args));
  }
};

const errorOf = (e: unknown) => ({ message: (e as Error).message ?? String(e), code: (e as { code?: string }).code });

let pending: WorkerRequest[] = [];
let scheduled = false;

/** Files written for a request (before the transaction), to remove should its rows not commit. */
const writeFilesOf = (r: WorkerRequest): string[] => {
  if (r.op !== 'insertMessages') return [];
  const files = spoolFilesOf(r.args[0]).map((f) => ({ file: f.file, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength) }));
  writeSpoolFilesSync(files);
  return files.map((f) => f.file);
};

const commitBatch = () => {
  scheduled = false;
  const replies: WorkerReply[] = [];
  // Spool files first, outside the transaction (which may be retried): a request whose file
  // cannot be written fails alone, before any of its rows exist.
  const written = new Map<number, string[]>();
  const batch = pending.filter((r) => {
    try {
      written.set(r.id, writeFilesOf(r));
      return true;
    } catch (e) {
      port.postMessage({ id: r.id, ok: false, error: errorOf(e) } satisfies WorkerReply);
      return false;
    }
  });
  pending = [];
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
  for (const reply of replies) {
    if (!reply.ok) removeSpoolFilesSync(written.get(reply.id) ?? []);
    port.postMessage(reply);
  }
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
