// anvil-style login throttling: failures are counted per client address and per login over
// a sliding window. Each failure adds a growing delay to the next reply; past the limit
// AUTH is refused temporarily (454 4.7.0) until old failures age out, so a real user is
// never locked out for good. In memory, per engine node.
export type AuthThrottle = {
  /** Milliseconds to wait before answering, and whether to refuse outright. */
  check(client: string, login: string, now?: number): { refuse: boolean; delayMs: number };
  fail(client: string, login: string, now?: number): void;
  succeed(client: string, login: string): void;
};

export const createAuthThrottle = (opts: { limit: () => number; windowMs?: () => number; maxDelayMs?: number }): AuthThrottle => {
  const windowMs = () => opts.windowMs?.() ?? 10 * 60_000;
  const maxDelay = opts.maxDelayMs ?? 4000;
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < windowMs());
    if (list.length) failures.set(key, list);
    else failures.delete(key);
    return list;
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const k of failures.keys()) recent(k, now);
  }, 60_000);
  sweep.unref();
  return {
    check: (client, login, now = Date.now()) => {
      const n = Math.max(recent(`c:${client}`, now).length, login ? recent(`u:${login.toLowerCase()}`, now).length : 0);
      return { refuse: n >= opts.limit(), delayMs: Math.min(maxDelay, n * 250) };
    },
    fail: (client, login, now = Date.now()) => {
      for (const key of [`c:${client}`, ...(login ? [`u:${login.toLowerCase()}`] : [])]) {
        failures.set(key, [...recent(key, now), now]);
      }
    },
    succeed: (client) => {
      failures.delete(`c:${client}`);
    },
  };
};
