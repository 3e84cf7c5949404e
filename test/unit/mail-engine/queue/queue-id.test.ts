// Queue ids look like Postfix's (upper-case hex) and never repeat within a process; lookup
// ids ($lookup_id in smtpd_reject_footer) are random, drawn from a refilled pool.
import { describe, expect, it } from 'vitest';
import { newLookupId, newQueueId } from '../../../../mail-engine/queue/queue-id';

describe('queue and lookup ids', () => {
  it('makes distinct upper-case hex queue ids', () => {
    const ids = Array.from({ length: 5000 }, newQueueId);
    expect(ids.every((id) => /^[0-9A-F]{14}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes distinct 10-digit lookup ids across pool refills', () => {
    // 2,000 ids use 10,000 random bytes: the 4,000-byte pool is refilled twice.
    const ids = Array.from({ length: 2000 }, newLookupId);
    expect(ids.every((id) => /^[0-9A-F]{10}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Random, not a counter: consecutive ids share no long prefix as a rule.
    const sharedPrefix = ids.slice(1).filter((id, i) => id.slice(0, 4) === ids[i]!.slice(0, 4)).length;
    expect(sharedPrefix).toBeLessThan(5);
  });
});
