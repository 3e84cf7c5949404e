// Holds the last good compiled Policy and swaps in a new one when the revision moves:
// told at once by the policy bus (and PostgreSQL NOTIFY across nodes), and polling the
// revision as a safety net. A snapshot that fails to compile is never applied; the last
// good one stays and the failure is reported. Stateful, but its I/O comes in as ports.
import { compilePolicy } from './policy/compile-policy';
import type { Policy } from './policy/policy';
import type { PolicyError, PolicyRows } from './policy/types';

export type PolicyCacheOptions = {
  latestRevision(): Promise<number>;
  loadRows(): Promise<PolicyRows>;
  pollMs: number;
  onApplied?(policy: Policy): void;
  onFailed?(revision: number, errors: PolicyError[] | Error): void;
};

export class PolicyCache {
  private current: Policy | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private again = false;
  private failedRevision = -1;
  private lastFault = 0;

  constructor(private readonly opts: PolicyCacheOptions) {}

  get policy(): Policy | undefined {
    return this.current;
  }

  async start() {
    await this.refresh(true);
    this.timer = setInterval(() => void this.refresh(false), this.opts.pollMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }

  /** Reload now (coalesced: concurrent calls share one load, and one more runs after it). */
  refresh(force = false): Promise<void> {
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    this.inflight = this.load(force).finally(() => {
      this.inflight = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh(true);
      }
    });
    return this.inflight;
  }

  private async load(force: boolean) {
    try {
      if (!force) {
        const latest = await this.opts.latestRevision();
        if (latest === this.current?.revision || latest === this.failedRevision) return;
      }
      const rows = await this.opts.loadRows();
      if (!force && rows.revision === this.current?.revision) return;
      const res = compilePolicy(rows);
      if (!res.ok) {
        this.failedRevision = rows.revision;
        this.opts.onFailed?.(rows.revision, res.errors);
        return;
      }
      this.current = res.policy;
      this.opts.onApplied?.(res.policy);
    } catch (e) {
      // Database unreachable: keep serving from the last good snapshot; say so once a minute.
      if (Date.now() - this.lastFault < 60_000) return;
      this.lastFault = Date.now();
      this.opts.onFailed?.(this.current?.revision ?? 0, e instanceof Error ? e : new Error(String(e)));
    }
  }
}
