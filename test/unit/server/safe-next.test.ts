import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../server/auth/safe-next';

describe('the page to come back to after signing in', () => {
  it('keeps a path of the console, with its query', () => {
    expect(safeNext('/logs')).toBe('/logs');
    expect(safeNext('/logs?recipient=a%40b.example&status=rejected')).toBe('/logs?recipient=a%40b.example&status=rejected');
    expect(safeNext('/domains/shop.example')).toBe('/domains/shop.example');
  });

  it('drops anything that could leave the console or loop', () => {
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'logs', '/login?next=/x', '/api/auth/signout', '/x\n/y', '', null, undefined]) {
      expect(safeNext(bad)).toBe('');
    }
  });
});
