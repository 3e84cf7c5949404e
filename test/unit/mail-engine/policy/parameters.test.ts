// Every parameter in the registry and every restriction in the table, checked one by one:
// a parameter's default compiles when set explicitly, its doc line exists, and a value of
// the wrong type is refused naming the parameter; every restriction has a golden case.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../../mail-engine/policy/compile-policy';
import { defaultFor, parseTime, PARAMETERS, splitList, validateValue } from '../../../../mail-engine/policy/parameters';
import { RESTRICTION_TABLE } from '../../../../mail-engine/policy/restriction-table';
import type { PolicyRows } from '../../../../mail-engine/policy/types';

const base = (settings: Record<string, string> = {}): PolicyRows => ({
  settings: { compatibility_level: '3.6', myhostname: 'mx.example.com', ...settings },
  domains: [],
  networks: [],
  users: [],
  aliases: [],
  accessEntries: [],
  hostAddresses: [{ address: '127.0.0.1', prefix: 8 }],
  revision: 1,
});

const BAD: Record<string, string> = { bool: 'maybe', int: '-3', size: 'lots', time: 'soon', enum: 'frobnicate' };

describe('the parameter registry', () => {
  for (const def of PARAMETERS) {
    describe(def.name, () => {
      it('has a one-line doc for the console', () => {
        expect(def.doc.length).toBeGreaterThan(10);
        expect(def.doc).not.toContain('\n');
      });
      it('compiles with its default set explicitly', () => {
        const value = defaultFor(def, 3.06);
        // At level 0 no relay list exists by default: Postfix, too, then needs a default-deny in the recipient list.
        const extra: Record<string, string> = def.name === 'compatibility_level' ? { smtpd_recipient_restrictions: 'permit_mynetworks, reject_unauth_destination' } : {};
        const r = compilePolicy(base({ ...extra, [def.name]: value }));
        expect(r.ok, r.ok ? '' : JSON.stringify(r.errors)).toBe(true);
      });
      if (BAD[def.type] && def.name !== 'inet_protocols') {
        it(`refuses "${BAD[def.type]}", naming the parameter`, () => {
          const r = compilePolicy(base({ [def.name]: BAD[def.type]! }));
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.errors.some((e) => e.parameter === def.name)).toBe(true);
        });
      }
    });
  }

  it('reads Postfix time values', () => {
    expect(parseTime('300s')).toBe(300);
    expect(parseTime('5m')).toBe(300);
    expect(parseTime('2h')).toBe(7200);
    expect(parseTime('5d')).toBe(432_000);
    expect(parseTime('1w')).toBe(604_800);
    expect(parseTime('45')).toBe(45);
    expect(parseTime('100ms')).toBe(0.1);
    expect(parseTime('1h30m')).toBeUndefined();
  });

  it('splits lists on commas and white space', () => {
    expect(splitList('a, b  c,,d\te')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('checks bounds and the values a list may hold', () => {
    const limit = PARAMETERS.find((d) => d.name === 'smtpd_hard_error_limit')!;
    expect(validateValue(limit, '0')).toMatch(/at least 1/);
    const opts = PARAMETERS.find((d) => d.name === 'smtpd_sasl_security_options')!;
    expect(validateValue(opts, 'noanonymous, noplaintext')).toBeUndefined();
    expect(validateValue(opts, 'noanonymous, nosuchthing')).toMatch(/nosuchthing/);
    const protocols = PARAMETERS.find((d) => d.name === 'inet_protocols')!;
    expect(validateValue(protocols, 'ipv4, ipv6')).toBeUndefined();
    expect(validateValue(protocols, 'ipx')).toMatch(/all, ipv4 or ipv6/);
  });
});

describe('the restriction table', () => {
  const cases = readdirSync(path.join(__dirname, '../../../golden/cases'))
    .map((f) => readFileSync(path.join(__dirname, '../../../golden/cases', f), 'utf8'))
    .join('\n');
  for (const [name, spec] of Object.entries(RESTRICTION_TABLE)) {
    it(`${name}: documented and exercised by a golden case`, () => {
      expect(spec.doc.length).toBeGreaterThan(10);
      expect(cases).toMatch(new RegExp(`config smtpd_\\w+_restrictions = .*\\b${name}\\b`));
    });
  }
});
