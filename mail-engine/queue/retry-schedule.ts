// Postfix's retry schedule: the wait doubles from minimal_backoff_time up to
// maximal_backoff_time; a message older than maximal_queue_lifetime expires (bounces).
export type RetryPolicy = { minimalBackoffS: number; maximalBackoffS: number; maximalQueueLifetimeS: number };

export const nextAttemptAt = (attempts: number, now: Date, r: RetryPolicy) => {
  const wait = Math.min(r.maximalBackoffS, r.minimalBackoffS * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + wait * 1000);
};

export const isExpired = (receivedAt: Date, now: Date, r: RetryPolicy) =>
  now.getTime() - receivedAt.getTime() >= r.maximalQueueLifetimeS * 1000;
