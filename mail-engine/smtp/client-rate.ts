// smtpd_client_connection_rate_limit: connection start times per client address over the
// last minute. Addresses that stopped connecting are swept (at most once a minute, during
// a hit), so the map holds only the clients of the last minute, not every client ever seen.
const WINDOW_MS = 60_000;

export class ClientRateCounter {
  private readonly starts = new Map<string, number[]>();
  private lastSweep = 0;

  /** Records a connection from `address` and returns how many it made in the last minute. */
  hit(address: string, now: number): number {
    if (now - this.lastSweep >= WINDOW_MS) this.sweep(now);
    const recent = (this.starts.get(address) ?? []).filter((t) => now - t < WINDOW_MS);
    recent.push(now);
    this.starts.set(address, recent);
    return recent.length;
  }

  /** Forgets the addresses whose last connection is older than the window. */
  sweep(now: number) {
    this.lastSweep = now;
    for (const [address, times] of this.starts) {
      if (now - times[times.length - 1]! >= WINDOW_MS) this.starts.delete(address);
    }
  }

  get size() {
    return this.starts.size;
  }
}
