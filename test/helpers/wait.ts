// Bounded waiting for things that happen asynchronously: a value to settle, a daemon to
// listen. Every wait has a deadline; a daemon that never comes up fails with its log.
import net from 'node:net';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` until `ok` accepts its value or `ms` have passed; returns the last value. */
export const waitFor = async <T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 10_000, stepMs = 100): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(stepMs);
  }
};

/** Whether `fn` turned true within `ms`. */
export const until = async (fn: () => Promise<boolean>, ms = 5000, stepMs = 100) => (await waitFor(fn, (v) => v, ms, stepMs)) === true;

/**
 * Waits until something on 127.0.0.1:port accepts a connection (or, with `greeting`, also
 * sends its first bytes); throws `failure()` after `ms`.
 */
export const waitForPort = async (port: number, o: { ms?: number; greeting?: boolean; failure?: () => string } = {}) => {
  const up = () =>
    new Promise<boolean>((r) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        if (o.greeting) return;
        s.destroy();
        r(true);
      });
      s.once('data', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
  if (!(await until(up, o.ms ?? 10_000, 50))) throw new Error(o.failure?.() ?? `nothing listens on 127.0.0.1:${port}`);
};
