import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seal, unseal } from '../../../../mail-engine/auth/secret-box';

describe('secret box (sealed TOTP seeds)', () => {
  const saved = process.env.AUTH_SECRET;
  beforeEach(() => {
    process.env.AUTH_SECRET = 'a-test-secret-of-enough-length';
  });
  afterEach(() => {
    process.env.AUTH_SECRET = saved;
  });

  it('opens what it sealed, and nothing else', () => {
    const box = seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'totp');
    expect(box).not.toContain('JBSWY3DP');
    expect(unseal(box, 'totp')).toBe('JBSWY3DPEHPK3PXPJBSWY3DP');
    // Another purpose has another key; a changed byte or another AUTH_SECRET opens nothing.
    expect(unseal(box, 'dkim')).toBeNull();
    const [v, iv, body, tag] = box.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(unseal([v, iv, flipped.toString('base64url'), tag].join('.'), 'totp')).toBeNull();
    process.env.AUTH_SECRET = 'another-secret-of-enough-length';
    expect(unseal(box, 'totp')).toBeNull();
  });

  it('refuses to seal without a secret', () => {
    delete process.env.AUTH_SECRET;
    expect(() => seal('x', 'totp')).toThrow(/AUTH_SECRET/);
  });
});
