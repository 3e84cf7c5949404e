// A group-commit batcher: items added in one tick (or while a commit runs) share one commit,
// so many sessions (or many finished deliveries) share one transaction and one fsync.
export type GroupCommit<I, O> = {
  /** Resolves with this item's result once the commit that carried it has succeeded. */
  add(item: I): Promise<O>;
  /** Resolves when nothing is waiting or being committed. */
  drained(): Promise<void>;
};

export const groupCommit = <I, O>(commit: (items: I[]) => Promise<O[]>): GroupCommit<I, O> => {
  let batch: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  let idle: Promise<void> = Promise.resolve();
  let settle: (() => void) | undefined;
  const flush = async () => {
    running = true;
    while (batch.length) {
      const current = batch;
      batch = [];
      try {
        const out = await commit(current.map((b) => b.item));
        current.forEach((b, i) => b.resolve(out[i]!));
      } catch (e) {
        for (const b of current) b.reject(e);
      }
    }
    running = false;
    settle?.();
    settle = undefined;
  };
  return {
    add: (item) =>
      new Promise<O>((resolve, reject) => {
        batch.push({ item, resolve, reject });
        if (!running && batch.length === 1) {
          idle = new Promise<void>((r) => (settle = r));
          setImmediate(() => void flush());
        }
      }),
    drained: () => (running || batch.length ? idle : Promise.resolve()),
  };
};
