// The delivery log's journal: what makes the DeliveryEvent table and mail.log tell the same
// story after kill -9. The logger writes each gathered batch here (its mail.log text and its
// rows, one JSON line) before it writes the text to mail.log, and only then hands the rows
// to the database sink; a write(2) is in the page cache, which kill -9 does not lose. The
// sink commits a batch of rows with the key of its last event in the same transaction
// (EngineNode.eventsThrough). At the next start, replay() finds what the journal holds past
// that key: the rows go to the sink again, and text that never reached mail.log (a kill
// between the two writes) is appended to it. Rows therefore reach the table exactly once,
// and only after their lines are in mail.log.
//
// Files are data/log/events-<node>-<generation>.journal; a new generation starts past
// ROTATE_BYTES, and a file is removed once every event in it is committed. Keys are
// "<generation>.<sequence>", fixed width, so they compare as strings.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, write, writeSync } from 'node:fs';
import path from 'node:path';

const ROTATE_BYTES = 1024 * 1024;

export type JournaledRow<R> = R & { key: string };
type Batch<R> = { t: string; e: JournaledRow<R>[] };
type JournalFile = { name: string; lastKey: string; fd: number };

export type EventJournal<R> = {
  /** Gives each row its key, and appends the batch; `done` when it is written (or could not be). */
  append(text: string, rows: R[], done: (rows: JournaledRow<R>[], err?: Error) => void): void;
  appendSync(text: string, rows: R[]): JournaledRow<R>[];
  /** Every event up to `key` is in the table: files wholly before it go. */
  committed(key: string): void;
  close(): void;
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The last `max` bytes of a file as text ('' when it cannot be read). */
const readTail = (file: string, max: number) => {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    let got = 0;
    for (let n = 1; got < len && n > 0; got += n) n = readSync(fd, buf, got, len - got, size - len + got);
    return buf.subarray(0, got).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd >= 0) closeSync(fd);
  }
};

export const openEventJournal = <R>(dir: string, nodeId: string): EventJournal<R> & {
  /**
   * What the journal holds past `through` (the key the database has): the text batches not
   * found in mail.log are appended to it, and the rows are returned in order for the sink.
   */
  replay(through: string, mailLog: string, fromJson: (j: Record<string, unknown>) => JournaledRow<R>): JournaledRow<R>[];
} => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const safeNode = nodeId.replace(/[^A-Za-z0-9_.-]/g, '_');
  const pattern = new RegExp(`^events-${safeNode.replace(/[.]/g, '\\.')}-(\\d+)\\.journal$`);
  // Files left by earlier runs, oldest first; they go once the sink has committed their rows.
  const files: JournalFile[] = readdirSync(dir)
    .filter((n) => pattern.test(n))
    .sort()
    .map((name) => ({ name, lastKey: '', fd: -1 }));
  let generation = Math.max(Date.now(), ...files.map((f) => Number(pattern.exec(f.name)![1]) + 1));
  let current: JournalFile | undefined;
  let seq = 0;
  let size = 0;
  /** After close(): appends are refused (a logger timer may still fire during shutdown). */
  let closed = false;

  const startFile = () => {
    const name = `events-${safeNode}-${pad(generation, 15)}.journal`;
    current = { name, lastKey: '', fd: openSync(path.join(dir, name), 'a', 0o600) };
    files.push(current);
    size = 0;
  };
  const keyed = (rows: R[]) => {
    if (closed) throw new Error('the event journal is closed');
    if (!current || size > ROTATE_BYTES) {
      if (current) {
        closeSync(current.fd);
        current.fd = -1;
      }
      generation = Math.max(generation + 1, Date.now());
      seq = 0;
      startFile();
    }
    const out = rows.map((r) => ({ ...r, key: `${pad(generation, 15)}.${pad(++seq, 10)}` }));
    if (out.length) current!.lastKey = out[out.length - 1]!.key;
    return out;
  };
  const line = (text: string, rows: JournaledRow<R>[]) => Buffer.from(`${JSON.stringify({ t: text, e: rows })}\n`);

  const remove = (f: JournalFile) => {
    if (f.fd >= 0) closeSync(f.fd);
    f.fd = -1;
    rmSync(path.join(dir, f.name), { force: true });
    files.splice(files.indexOf(f), 1);
    if (f === current) current = undefined;
  };

  return {
    append: (text, rows, done) => {
      let out: JournaledRow<R>[];
      let data: Buffer;
      try {
        out = keyed(rows);
        data = line(text, out);
      } catch (e) {
        return done(rows.map((r) => ({ ...r, key: '' })), e as Error);
      }
      size += data.length;
      try {
        write(current!.fd, data, 0, data.length, null, (err, n) => done(out, err ?? (n < data.length ? new Error('short write') : undefined)));
      } catch (e) {
        done(out, e as Error);
      }
    },
    appendSync: (text, rows) => {
      const out = keyed(rows);
      const data = line(text, out);
      size += data.length;
      writeSync(current!.fd, data);
      return out;
    },
    committed: (key) => {
      for (const f of [...files]) {
        // A file of an earlier run (lastKey '') goes when the replayed rows past it commit:
        // replay gave them keys of its generation, smaller than any of this run's.
        if (f.lastKey <= key && (f.lastKey !== '' || f !== current)) remove(f);
      }
    },
    close: () => {
      closed = true;
      for (const f of files) {
        if (f.fd >= 0) closeSync(f.fd);
        f.fd = -1;
      }
    },
    replay: (through, mailLog, fromJson) => {
      const rows: JournaledRow<R>[] = [];
      const tail = readTail(mailLog, 8 * 1024 * 1024);
      const missing: string[] = [];
      let last = '';
      for (const f of files) {
        for (const l of readFileSync(path.join(dir, f.name), 'utf8').split('\n')) {
          if (!l) continue;
          let b: Batch<Record<string, unknown>>;
          try {
            b = JSON.parse(l) as Batch<Record<string, unknown>>;
          } catch {
            continue; // torn by the crash mid-write: its text was never written to mail.log either
          }
          const batch = b.e.map(fromJson);
          const lastKey = batch.length ? batch[batch.length - 1]!.key : '';
          if (lastKey) last = lastKey;
          if (batch.length && lastKey <= through) continue;
          if (b.t && !tail.includes(b.t)) missing.push(b.t);
          rows.push(...batch.filter((r) => r.key > through));
        }
        // Earlier runs' files: remembered by their last key, removed once it is committed.
        f.lastKey = last;
      }
      if (missing.length) {
        const fd = openSync(mailLog, 'a', 0o640);
        try {
          writeSync(fd, missing.join(''));
        } finally {
          closeSync(fd);
        }
      }
      // Nothing past the database's key: the old files can go now.
      if (!rows.length) for (const f of [...files]) remove(f);
      return rows;
    },
  };
};
