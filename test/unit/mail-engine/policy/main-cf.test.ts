import { describe, expect, it } from 'vitest';
import { expandValue, parseMainCf, serializeMainCf } from '../../../../mail-engine/policy/main-cf';
import { planImport, renderMainCf } from '../../../../mail-engine/policy/main-cf-io';

describe('main.cf parsing', () => {
  it('joins continuation lines, skips comments and reports lines without "="', () => {
    const p = parseMainCf('# comment\nmydestination = a,\n    b\n  # indented comment\nbroken line\nmyhostname = mx.example\n');
    expect(p.entries.map((e) => [e.name, e.value, e.line])).toEqual([
      ['mydestination', 'a, b', 2],
      ['myhostname', 'mx.example', 6],
    ]);
    expect(p.errors).toEqual([{ line: 5, message: 'expected "name = value", got "broken line"' }]);
  });

  it('keeps the later of two entries and warns with both line numbers', () => {
    const p = parseMainCf('a = 1\na = 2\n');
    expect(p.entries).toEqual([{ name: 'a', value: '2', line: 2 }]);
    expect(p.warnings[0]?.message).toBe('a overrides the earlier entry on line 1');
  });
});

describe('$name expansion', () => {
  const table: Record<string, string> = { myhostname: 'mx.test.net', accept_domain: 'test.net', a: '$b', b: '$a', empty: '' };
  const lookup = (n: string) => table[n];
  it.each([
    ['$myhostname, localhost, $accept_domain', 'mx.test.net, localhost, test.net'],
    ['${myhostname}/$(accept_domain)', 'mx.test.net/test.net'],
    ['${accept_domain?yes}${empty?no}', 'yes'],
    ['${empty:fallback}', 'fallback'],
    ['${accept_domain?{set}:{unset}} ${empty?{set}:{unset}}', 'set unset'],
    ['cost $$5', 'cost $5'],
  ])('%s → %s', (raw, want) => expect(expandValue(raw, lookup)).toBe(want));

  it('detects reference cycles instead of looping', () => {
    expect(() => expandValue('$a', lookup, ['x'])).toThrow(/circular reference: x → a → b → a/);
  });
});

describe('export and import', () => {
  const rows = {
    settings: { compatibility_level: '3.6', myhostname: 'mx.example.com', mydestination: '$myhostname, localhost', smtpd_recipient_restrictions: 'permit_mynetworks, reject_unauth_destination' },
    domains: [
      { name: 'test.net', kind: 'LOCAL' as const, active: true },
      { name: 'relay.example', kind: 'RELAY' as const, active: true },
    ],
    networks: [{ cidr: '192.0.2.0/24' }, { cidr: '2001:db8::/32' }],
  };

  it('export → import → export is identical', () => {
    const first = renderMainCf(rows);
    const plan = planImport(first);
    expect(plan.errors).toEqual([]);
    const second = renderMainCf({ settings: plan.settings, domains: plan.domains.map((d) => ({ ...d, active: true })), networks: plan.networks });
    expect(second).toBe(first);
    expect(first).toContain('mynetworks = 192.0.2.0/24, [2001:db8::]/32');
    expect(first).toContain('mydestination = $myhostname, localhost, test.net');
  });

  it('reports unknown and unsupported parameters by name and line, and keeps referenced user variables', () => {
    const plan = planImport('accept_domain = test.net\nmydestination = $accept_domain\nalias_maps = hash:/etc/aliases\nfrobnicate = yes\nrelay_domains = hash:/etc/postfix/relay\n');
    expect(plan.settings.accept_domain).toBe('test.net');
    expect(plan.ignored.map((i) => [i.line, i.parameter])).toEqual([
      [3, 'alias_maps'],
      [4, 'frobnicate'],
      [5, 'relay_domains'],
    ]);
  });

  it('serializes empty values as "name ="', () => {
    expect(serializeMainCf([{ name: 'relay_domains', value: '' }])).toBe('relay_domains =\n');
  });
});
