import { describe, expect, it } from 'vitest';
import { CidrMatcher, formatCidr, parseCidr } from '../../../../mail-engine/policy/match/cidr';
import { DomainMatcher } from '../../../../mail-engine/policy/match/domain';
import { resolveAddress } from '../../../../mail-engine/policy/address';

describe('CIDR match lists', () => {
  const m = new CidrMatcher(['!192.168.1.5', '192.168.0.0/16', '[::1]/128', '10.0.0.0/8', '!10.1.0.0/16'].map(parseCidr));
  it.each([
    ['192.168.1.4', true],
    ['192.168.1.5', false], // excluded by the earlier "!" entry
    ['::ffff:192.168.2.1', true], // IPv4-mapped folds to IPv4
    ['::1', true],
    ['::2', false],
    ['10.1.2.3', true], // 10.0.0.0/8 comes first and wins
    ['172.16.0.1', false],
  ])('%s → %s', (ip, want) => expect(m.match(ip).matched).toBe(want));

  it('refuses host bits beyond the prefix, and formats IPv6 in brackets', () => {
    expect(() => parseCidr('192.0.2.1/24')).toThrow(/perhaps you meant 192.0.2.0\/24/);
    expect(formatCidr(parseCidr('2001:DB8:0:0::/32'))).toBe('[2001:db8::]/32');
    expect(() => parseCidr('example.com')).toThrow(/not an IP address/);
  });
});

describe('domain match lists', () => {
  it('matches subdomains only when the feature is in parent_domain_matches_subdomains', () => {
    const parent = new DomainMatcher(['example.com', '!bad.example.com'], true);
    const exact = new DomainMatcher(['example.com', '.sub.example.org'], false);
    expect(parent.match('a.example.com').matched).toBe(true);
    expect(parent.match('bad.example.com').matched).toBe(true); // "example.com" comes first
    expect(exact.match('a.example.com').matched).toBe(false);
    expect(exact.match('x.sub.example.org').matched).toBe(true);
    expect(exact.match('sub.example.org').matched).toBe(false);
    expect(exact.match('EXAMPLE.com.').matched).toBe(true);
  });
});

describe('address resolution (trivial-rewrite)', () => {
  const opts = {
    isLocalDomain: (d: string) => d === 'test.net' || d === 'mx.test.net',
    isRelayDomain: (d: string) => d === 'relay.example',
    myorigin: 'mx.test.net',
    mydomain: 'test.net',
    percentHack: true,
    swapBangpath: true,
    appendDotMydomain: false,
  };
  it.each([
    ['alice@test.net', 'alice@test.net', false, 'local'],
    ['alice', 'alice@mx.test.net', false, 'local'],
    ['x%example.org@test.net', 'x@example.org', true, 'default'],
    ['example.org!x@test.net', 'x@example.org', true, 'default'],
    ['"x@example.org"@test.net', 'x@example.org', true, 'default'],
    ['@test.net:x@example.org', 'x@example.org', false, 'default'],
    ['y@relay.example', 'y@relay.example', false, 'relay'],
  ])('%s → %s (routed %s, %s)', (input, address, routed, cls) => {
    const r = resolveAddress(input, opts);
    expect([r.address, r.routed, r.addressClass]).toEqual([address, routed, cls]);
  });
});
