// A local journal of delivery outcomes that could not be recorded in the database (it was
// unreachable, locked, or its disk full). The engine appends them here, fsync'd, before it
// retries, and replays them at start before it releases its leases: a recipient that was
// delivered is recorded once, however the fault ends, and never handed out again.
// One JSON object per line; dates as ISO strings.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RecipientOutcome } from './queue-store';

type Line = Omit<RecipientOutcome, 'nextAttemptAt'> & { nextAttemptAt?: string };

export type OutcomeJournal = {
  /** Appends and fsyncs; resolves false when the journal could not be written (disk full). */
  append(records: RecipientOutcome[]): Promise<boolean>;
  /** Every outcome in the journal (the last one per recipient). */
  load(): Promise<RecipientOutcome[]>;
  /** Empties the journal once everything in it is recorded. */
  clear(): Promise<void>;
};

export const createOutcomeJournal = (file: string): OutcomeJournal => {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>) => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => {});
    return next;
  };
  return {
    append: (records) =>
      serial(async () => {
        try {
          await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
          const fh = await fs.open(file, 'a', 0o600);
          try {
            await fh.writeFile(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
            await fh.sync();
          } finally {
            await fh.close();
          }
          return true;
        } catch {
          return false;
        }
      }),
    load: () =>
      serial(async () => {
        const text = await fs.readFile(file, 'utf8').catch(() => '');
        const byId = new Map<number, RecipientOutcome>();
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          let r: Line;
          try {
            r = JSON.parse(line) as Line;
          } catch {
            continue; // a line torn by a crash while it was written: its outcome was never acted on
          }
          byId.set(r.id, r.state === 'DEFERRED' ? { ...r, state: 'DEFERRED', nextAttemptAt: new Date(r.nextAttemptAt ?? Date.now()) } : (r as RecipientOutcome));
        }
        return [...byId.values()];
      }),
    clear: () =>
      serial(async () => {
        await fs.rm(file, { force: true });
      }),
  };
};
