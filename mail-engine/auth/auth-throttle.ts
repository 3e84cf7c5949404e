// Login throttling that a stranger cannot turn against a user, for SMTP AUTH and the console
// alike (one budget per account: both count the failures both log).
//
//  - Per client address, anvil/Dovecot style: past postern_auth_failure_limit failures in
//    postern_auth_failure_window the address is refused (454 4.7.0 / "try again later"),
//    whatever the login — only the address that failed, never anyone else's.
//  - Per account, across addresses: past ACCOUNT_SLOW_AFTER failures in the window, attempts
//    from addresses not known for the account (none of its successful logins came from
//    there) are slowed — a delay that grows with the failures, before the password is even
//    checked, so a success and a failure take the same time, and one such attempt at a time
//    per account — but never refused. The right password still works, from anywhere;
//    from a known address at once.
//  - An unknown login is counted and answered exactly like a known one.
//
// This node's failures are counted in memory; nodes (and the console) that share a database
// count each other's through `remote`: every failure and success is an auth.* DeliveryEvent
// with its node, client and login. If the database cannot answer, the node's own count decides.

/** Failures of an account, across addresses, after which unknown addresses are slowed. */
export const ACCOUNT_SLOW_AFTER = 10;
const MAX_DELAY_MS = 8000;

export type ThrottleFacts = { clientFailures: number; accountFailures: number; knownClient: boolean };
export type ThrottleDecision = {
  /** Refuse this client now (it has failed too often itself). */
  refuse: boolean;
  /** Wait this long before checking the password (an account under attack, an unknown address). */
  slowMs: number;
  /** Add this to a failed attempt's reply (per client, growing with its failures). */
  failDelayMs: number;
};

/** The decision, from the counts: pure, shared by SMTP AUTH and the console. */
export const decideThrottle = (f: ThrottleFacts, clientLimit: number): ThrottleDecision => {
  const failDelayMs = Math.min(MAX_DELAY_MS / 2, f.clientFailures * 250);
  if (f.clientFailures >= clientLimit) return { refuse: true, slowMs: 0, failDelayMs };
  const over = f.accountFailures - ACCOUNT_SLOW_AFTER;
  const slowMs = f.knownClient || over < 0 ? 0 : Math.min(MAX_DELAY_MS, Math.round(1000 * 2 ** (over / 5)));
  return { refuse: false, slowMs, failDelayMs };
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits `ms`, one caller at a time per login: parallel guesses at one account queue up
 * instead of sharing a wait. Used by SMTP AUTH and by the console.
 */
export const createSlowGate = () => {
  const gates = new Map<string, Promise<void>>();
  return async (login: string, ms: number) => {
    if (ms <= 0) return;
    const mine = (gates.get(login) ?? Promise.resolve()).then(() => sleep(ms));
    gates.set(login, mine);
    await mine;
    if (gates.get(login) === mine) gates.delete(login);
  };
};

export type RemoteFacts = (client: string, login: string, since: Date) => Promise<{ client: number; login: number; known: boolean }>;

export type AuthThrottle = {
  check(client: string, login: string, now?: number): Promise<ThrottleDecision>;
  /** Waits `ms`, one attempt at a time per account (parallel guesses do not share a wait). */
  slow(login: string, ms: number): Promise<void>;
  fail(client: string, login: string, now?: number): void;
  succeed(client: string, login: string): void;
};


export const createAuthThrottle = (opts: { limit: () => number; windowMs?: () => number; remote?: RemoteFacts }): AuthThrottle => {
  const windowMs = () => opts.windowMs?.() ?? 10 * 60_000;
  const failures = new Map<string, number[]>();
  /** Client addresses that logged in successfully, per login (this node's; the rest via `remote`). */
  const known = new Map<string, Set<string>>();
  const gate = createSlowGate();
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
  const remoteFacts = async (client: string, login: string, now: number) => {
    if (!opts.remote) return { client: 0, login: 0, known: false };
    try {
      return await opts.remote(client, login, new Date(now - windowMs()));
    } catch {
      return { client: 0, login: 0, known: false };
    }
  };
  return {
    check: async (client, login0, now = Date.now()) => {
      const login = login0.toLowerCase();
      const other = await remoteFacts(client, login, now);
      return decideThrottle(
        {
          clientFailures: recent(`c:${client}`, now).length + other.client,
          accountFailures: login ? recent(`u:${login}`, now).length + other.login : 0,
          knownClient: !!known.get(login)?.has(client) || other.known,
        },
        opts.limit(),
      );
    },
    slow: (login, ms) => gate(login.toLowerCase(), ms),
    fail: (client, login, now = Date.now()) => {
      for (const key of [`c:${client}`, ...(login ? [`u:${login.toLowerCase()}`] : [])]) failures.set(key, [...recent(key, now), now]);
    },
    succeed: (client, login0) => {
      const login = login0.toLowerCase();
      failures.delete(`c:${client}`);
      let set = known.get(login);
      if (!set) known.set(login, (set = new Set()));
      set.add(client);
    },
  };
};
