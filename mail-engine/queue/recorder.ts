// Recording delivery outcomes exactly once. Outcomes are committed in group commits; one
// that cannot be committed (the database unreachable, locked, its disk full) is kept — in
// memory and in a local journal — and retried every postern_record_retry_time until it
// commits. Until then its recipients are never handed to a delivery again (`holds`), and at
// start the journal is replayed before this node's leases are released.
import type { EngineLogger } from '../log/logger';
import type { OutcomeJournal } from '../store/outcome-journal';
import type { QueueStore, RecipientOutcome } from '../store/queue-store';
import { groupCommit } from './group-commit';

export type RecorderDeps = {
  store: Pick<QueueStore, 'recordOutcomes'>;
  journal: OutcomeJournal;
  logger: EngineLogger;
  retryMs: () => number;
};

export const createRecorder = (deps: RecorderDeps) => {
  const outcomes = groupCommit<RecipientOutcome[], string[]>(async (batches) => {
    const removed = await deps.store.recordOutcomes(batches.flat());
    // Each removed message reported once, to the first batch that had it.
    return batches.map((b) => removed.filter((id) => b.some((o) => o.messageId === id)));
  });
  /** Outcomes not yet committed, by recipient id. */
  const unrecorded = new Map<number, RecipientOutcome>();
  let timer: NodeJS.Timeout | undefined;
  let retrying: Promise<void> | undefined;
  let stopped = false;

  const removed = (ids: string[]) => {
    for (const id of ids) deps.logger.emit({ event: 'message.removed', queueId: id });
  };

  const hold = async (records: RecipientOutcome[], why: unknown) => {
    const first = unrecorded.size === 0;
    for (const r of records) unrecorded.set(r.id, r);
    const journaled = await deps.journal.append(records);
    if (first) {
      process.stderr.write(`postern: cannot record ${records.length} delivery outcome(s) (${(why as Error).message}); ${journaled ? 'journaled, ' : ''}retrying every ${deps.retryMs() / 1000}s\n`);
    }
    arm();
  };

  const arm = () => {
    if (timer || stopped || !unrecorded.size) return;
    timer = setTimeout(() => {
      timer = undefined;
      void retry();
    }, deps.retryMs());
    timer.unref();
  };

  const retry = (): Promise<void> =>
    (retrying ??= (async () => {
      const list = [...unrecorded.values()];
      if (!list.length) return;
      try {
        removed(await deps.store.recordOutcomes(list));
        for (const r of list) if (unrecorded.get(r.id) === r) unrecorded.delete(r.id);
        if (!unrecorded.size) await deps.journal.clear();
        process.stderr.write(`postern: recorded ${list.length} delivery outcome(s) that had been held\n`);
      } catch {
        // Still failing: the next retry.
      }
    })().finally(() => {
      retrying = undefined;
      arm();
    }));

  return {
    /** Records a message's outcomes; never rejects (a failure is held and retried). */
    record: async (records: RecipientOutcome[]) => {
      try {
        removed(await outcomes.add(records));
      } catch (e) {
        await hold(records, e);
      }
    },
    /** Whether this recipient's outcome is waiting to be recorded (it must not be delivered again). */
    holds: (recipientId: number) => unrecorded.has(recipientId),
    /** Recipient ids whose outcomes wait to be recorded. */
    held: () => [...unrecorded.keys()],
    /** At start: outcomes a previous run journaled are recorded (or held) before anything else. */
    replay: async () => {
      const list = await deps.journal.load();
      if (!list.length) return 0;
      try {
        removed(await deps.store.recordOutcomes(list));
        await deps.journal.clear();
      } catch (e) {
        // Already journaled: held in memory, and retried like any other.
        for (const r of list) unrecorded.set(r.id, r);
        process.stderr.write(`postern: cannot record ${list.length} journaled delivery outcome(s) yet (${(e as Error).message}); retrying\n`);
        arm();
      }
      return list.length;
    },
    drained: async () => {
      await outcomes.drained();
    },
    pending: () => unrecorded.size,
    /** One more try now (shutdown, tests). */
    flush: () => retry(),
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
};
