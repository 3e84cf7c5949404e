// anvil-style login throttling: failures are counted per client address and per login over
// a sliding window. Each failure adds a growing delay to the next reply; past the limit
// AUTH is refused temporarily (454 4.7.0) until old failures age out, so a real user is
// never locked out for good.
//
// This node's failures are counted in memory (a success clears its client's count). Nodes
// that share a database also count each other's: every failure is logged as an
// `auth.failed` DeliveryEvent with its node, client and login, so `remote` counts the ones
// other nodes logged inside the window. A guesser spread over several nodes meets the same
// limit as on one (a failure reaches the others once its log batch commits, within a
// fraction of a second). If the count cannot be had (database down), the node's own count
// decides, as it did alone.
export type RemoteFailures = (client: string, login: string, since: Date) => Promise<{ client: number; login: number }>;

export type AuthThrottle = {
  /** Milliseconds to wait before answering, and whether to refuse outright. */
  check(client: string, login: string, now?: number): Promise<{ refuse: boolean; delayMs: number }>;
  fail(client: string, login: string, now?: number): void;
  succeed(client: string, login: string): void;
};

export const createAuthThrottle = (opts: { limit: () => number; windowMs?: () => number; maxDelayMs?: number; remote?: RemoteFailures }): AuthThrottle => {
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
  const remoteCounts = async (client: string, login: string, now: number) => {
    if (!opts.remote) return { client: 0, login: 0 };
    try {
      return await opts.remote(client, login, new Date(now - windowMs()));
    } catch {
      return { client: 0, login: 0 };
    }
  };
  return {
    check: async (client, login, now = Date.now()) => {
      const key = login.toLowerCase();
      const other = await remoteCounts(client, key, now);
      const byClient = recent(`c:${client}`, now).length + other.client;
      const byLogin = key ? recent(`u:${key}`, now).length + other.login : 0;
      const n = Math.max(byClient, byLogin);
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
