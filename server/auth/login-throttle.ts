import 'server-only';

// Console login throttling per client address and per account: after 5 failures in 15
// minutes further attempts are refused until the oldest failure ages out.
const WINDOW_MS = 15 * 60_000;
const LIMIT = 5;
const KEY = Symbol.for('postern.login-throttle');
const failures: Map<string, number[]> = ((globalThis as Record<symbol, Map<string, number[]> | undefined>)[KEY] ??= new Map<string, number[]>());

const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);

export const loginBlocked = (ip: string, address: string, now = Date.now()) =>
  recent(`ip:${ip}`, now).length >= LIMIT * 4 || recent(`u:${address}`, now).length >= LIMIT;

export const recordLoginFailure = (ip: string, address: string, now = Date.now()) => {
  for (const key of [`ip:${ip}`, `u:${address}`]) failures.set(key, [...recent(key, now), now]);
};

export const clearLoginFailures = (address: string) => failures.delete(`u:${address}`);
