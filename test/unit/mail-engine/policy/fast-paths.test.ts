// The RCPT decision's fast paths (a dotted quad scanned once, a domain already in normal
// form, an address without quotes) must answer exactly as the general code they skip.
// Each is compared with a reference over tables and over random inputs built to hit the
// edges (leading zeros, 256, empty parts, upper case, non-ASCII, spaces, trailing dots).
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../../mail-engine/policy/compile-policy';
import { splitAddress } from '../../../../mail-engine/policy/address';
import { normalizeDomain } from '../../../../mail-engine/policy/match/domain';
import { parseIp } from '../../../../mail-engine/policy/match/ip';
import type { PolicyRows } from '../../../../mail-engine/policy/types';

/** The dotted-quad parser as it was before the single scan: split, one regex per part. */
const referenceV4 = (s: string) => {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    out.push(Number(p));
  }
  return out;
};

/** A deterministic generator, so a failure names an input that reproduces. */
const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

describe('parseIp: the dotted-quad scan', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    [' 192.0.2.1 ', [192, 0, 2, 1]], // the general path trims
    ['[192.0.2.1]', [192, 0, 2, 1]],
    ['::ffff:192.0.2.1', [192, 0, 2, 1]],
    ['01.2.3.4', undefined],
    ['1.2.3.04', undefined],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.', undefined],
    ['1.2.3.4.5', undefined],
    ['1..3.4', undefined],
    ['1.2.3.4x', undefined],
    ['1234.1.1.1', undefined],
    ['1.2.3.4:25', undefined],
    ['', undefined],
  ])('%j → %j', (input, want) => {
    const ip = parseIp(input);
    expect(ip && ip.family === 4 ? [...ip.bytes] : ip).toEqual(want);
  });

  it('agrees with the split-and-regex parser on 20,000 random near-addresses', () => {
    const r = rng(7);
    const parts = ['0', '00', '01', '1', '9', '10', '99', '100', '199', '249', '255', '256', '300', '999', '1000', '', 'a', ' ', '1a'];
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(r() * 6);
      let s = Array.from({ length: n }, () => pick(r, parts)).join('.');
      if (r() < 0.1) s += '.';
      const ip = parseIp(s);
      const got = ip ? (ip.family === 4 ? [...ip.bytes] : 'v6') : undefined;
      // Only strings without spaces reach the scan unchanged; the rest go the general way,
      // which trims them first.
      expect({ s, got }).toEqual({ s, got: referenceV4(s.trim()) });
    }
  });
});

describe('normalizeDomain: a domain already in normal form is returned as it is', () => {
  const reference = (d: string) => d.trim().toLowerCase().replace(/\.+$/, '');
  it('agrees with trim, lower case, no trailing dots on 20,000 random names', () => {
    const r = rng(11);
    const chars = ['a', 'z', 'A', 'Z', '0', '-', '.', '_', ' ', '\t', '[', ']', ':', 'Ä', 'ß', '\u00a0', '\u2028', 'İ'];
    for (let i = 0; i < 20_000; i++) {
      const s = Array.from({ length: Math.floor(r() * 10) }, () => pick(r, chars)).join('');
      expect({ s, got: normalizeDomain(s) }).toEqual({ s, got: reference(s) });
    }
  });
});

describe('splitAddress', () => {
  it.each([
    ['user@example.org', 'user', 'example.org'],
    ['a@b@example.org', 'a@b', 'example.org'],
    ['user', 'user', undefined],
    ['"a@b"@example.org', 'a@b', 'example.org'],
    ['a\\@b@example.org', 'a@b', 'example.org'],
    ['"x@y"', 'x@y', undefined],
  ])('%s → %s, %s', (input, localPart, domain) => expect(splitAddress(input)).toEqual({ localPart, domain }));
});

describe("the compiled policy's resolve()", () => {
  it('answers each address for itself when addresses alternate (the last result is reused only for the same address)', () => {
    const rows: PolicyRows = {
      settings: { compatibility_level: '3.6', myhostname: 'mx.d1.example', mydestination: '$myhostname' },
      users: [{ address: 'u1@d1.example', active: true, hasMailbox: true }],
      domains: [{ name: 'd1.example', kind: 'LOCAL', active: true }],
      networks: [],
      aliases: [],
      accessEntries: [],
      hostAddresses: [],
      revision: 1,
    };
    const c = compilePolicy(rows);
    if (!c.ok) throw new Error('policy did not compile');
    const p = c.policy;
    for (let i = 0; i < 3; i++) {
      expect(p.resolve('u1@d1.example')).toMatchObject({ address: 'u1@d1.example', addressClass: 'local' });
      expect(p.resolve('x@elsewhere.example.org')).toMatchObject({ address: 'x@elsewhere.example.org', addressClass: 'default' });
      expect(p.resolve('x@elsewhere.example.org')).toBe(p.resolve('x@elsewhere.example.org'));
    }
  });
});
