// Timers that must not outlive what they time: the DNS lookup deadline of RCPT-time checks,
// and the per-client connection-rate table (swept, not kept for every client ever seen).
import { describe, expect, it } from 'vitest';
import { ClientRateCounter } from '../../../../mail-engine/smtp/client-rate';
import { withTimeout } from '../../../../mail-engine/smtp/stages/on-rcpt-to';

const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('engine timers', () => {
  it('clears the DNS deadline as soon as the lookup answers', async () => {
    const before = activeTimers();
    await Promise.all(Array.from({ length: 50 }, (_, i) => withTimeout(Promise.resolve(i), 60_000)));
    await Promise.allSettled(Array.from({ length: 50 }, () => withTimeout(Promise.reject(new Error('ENOTFOUND')), 60_000)));
    expect(activeTimers()).toBe(before);
  });

  it('still answers ETIMEOUT when the lookup does not', async () => {
    await expect(withTimeout(new Promise(() => {}), 20)).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });

  it('forgets clients that stopped connecting, and counts the last minute per client', () => {
    const c = new ClientRateCounter();
    const t0 = 1_000_000;
    for (let i = 0; i < 1000; i++) c.hit(`192.0.2.${i % 250}.${i}`, t0);
    expect(c.size).toBe(1000);
    expect(c.hit('198.51.100.1', t0 + 1)).toBe(1);
    expect(c.hit('198.51.100.1', t0 + 2)).toBe(2);
    // A minute later one new connection sweeps every address that has been quiet since.
    expect(c.hit('203.0.113.5', t0 + 61_000)).toBe(1);
    expect(c.size).toBe(1);
    expect(c.hit('198.51.100.1', t0 + 61_500)).toBe(1);
  });
});
