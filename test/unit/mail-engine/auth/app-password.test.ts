import { describe, expect, it } from 'vitest';
import { canonicalAppPassword, newAppPassword } from '../../../../mail-engine/auth/app-password';

describe('app passwords', () => {
  it('are four groups of four from an unambiguous alphabet, and differ each time', () => {
    const made = new Set(Array.from({ length: 200 }, newAppPassword));
    expect(made.size).toBe(200);
    for (const p of made) expect(p).toMatch(/^[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}$/);
  });

  it('are recognised however they are typed, and a person’s password is not one', () => {
    expect(canonicalAppPassword('abcd-efgh-jkmn-pqrs')).toBe('abcdefghjkmnpqrs');
    expect(canonicalAppPassword('ABCD EFGH JKMN PQRS')).toBe('abcdefghjkmnpqrs');
    expect(canonicalAppPassword('correct horse battery')).toBeNull();
    expect(canonicalAppPassword('abcd-efgh-jkmn-pqr1')).toBeNull(); // 1 is not in the alphabet
    expect(canonicalAppPassword('abcd-efgh-jkmn')).toBeNull();
  });
});
