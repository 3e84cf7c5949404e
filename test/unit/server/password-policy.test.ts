// Passwords: long enough, not repetitive, and not one of the most common ones (zxcvbn-ts's
// list of ~49,000), whatever their case.
import { describe, expect, it } from 'vitest';
import { passwordSchema } from '../../../server/schemas/common';

const why = (p: string) => {
  const r = passwordSchema.safeParse(p);
  return r.success ? 'ok' : r.error.issues.map((i) => i.message).join('; ');
};

describe('password policy', () => {
  it.each(['password123', '1234567890', 'Qwertyuiop1', 'iloveyou12'])('refuses the common password %s', (p) => {
    expect(why(p)).toBe('This is one of the most common passwords: choose another');
  });

  it('takes an uncommon one, and still asks for length', () => {
    expect(why('alice-password-1')).toBe('ok');
    expect(why('x7-short')).toBe('Use at least 10 characters');
  });
});
