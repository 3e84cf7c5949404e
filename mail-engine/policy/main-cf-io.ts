// main.cf export (rows → text) and import planning (text → rows + a report). Pure.
// Export: explicit settings in registry order, with the console's domains and networks
// appended to mydestination, relay_domains and mynetworks. Import: literal domains and
// networks become console rows, "$name" references and everything else stay settings;
// unknown and unsupported parameters are reported by name and line, never dropped silently.
// export → import → export yields the same text.
import { parseMainCf, serializeMainCf, type MainCfIssue } from './main-cf';
import { formatCidr, parseCidr } from './match/cidr';
import { KNOWN_UNSUPPORTED, PARAMETERS, PARAMETER_TABLE, splitList } from './parameters';
import type { PolicyRows } from './types';

const ROW_PARAMS = ['mydestination', 'relay_domains', 'mynetworks'] as const;

export const renderMainCf = (rows: Pick<PolicyRows, 'settings' | 'domains' | 'networks'>, header = ''): string => {
  const entries: { name: string; value: string }[] = [];
  const rowItems: Record<string, string[]> = {
    mydestination: rows.domains.filter((d) => d.kind === 'LOCAL' && d.active).map((d) => d.name).sort(),
    relay_domains: rows.domains.filter((d) => d.kind === 'RELAY' && d.active).map((d) => d.name).sort(),
    mynetworks: rows.networks.map((n) => {
      try {
        return formatCidr(parseCidr(n.cidr));
      } catch {
        return n.cidr;
      }
    }),
  };
  for (const def of PARAMETERS) {
    const explicit = rows.settings[def.name];
    const extra = rowItems[def.name] ?? [];
    if (explicit === undefined && !extra.length) continue;
    const base = explicit === undefined ? (typeof def.default === 'string' ? def.default : undefined) : explicit;
    // An unset parameter with rows keeps its default in front, as the engine does.
    const value = [base ?? '', extra.join(', ')].filter(Boolean).join(', ');
    entries.push({ name: def.name, value });
  }
  for (const [name, value] of Object.entries(rows.settings).sort()) {
    if (!PARAMETER_TABLE.has(name)) entries.push({ name, value });
  }
  return serializeMainCf(entries, header);
};

export type ImportPlan = {
  settings: Record<string, string>;
  domains: { name: string; kind: 'LOCAL' | 'RELAY' }[];
  networks: { cidr: string }[];
  imported: { name: string; value: string; line: number }[];
  ignored: (MainCfIssue & { parameter: string })[];
  errors: MainCfIssue[];
  warnings: MainCfIssue[];
};

const isLiteralDomain = (item: string) => /^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i.test(item) && !item.includes('$');

/** Postern-only names that an imported main.cf may carry (they round-trip our exports). */
export const planImport = (text: string): ImportPlan => {
  const parsed = parseMainCf(text);
  const plan: ImportPlan = { settings: {}, domains: [], networks: [], imported: [], ignored: [], errors: [...parsed.errors], warnings: [...parsed.warnings] };
  for (const e of parsed.entries) {
    const def = PARAMETER_TABLE.get(e.name);
    if (!def) {
      // Parameters referenced as $name by supported ones are user variables (accept_domain = …).
      const referenced = parsed.entries.some((o) => o.name !== e.name && new RegExp(`\\$\\{?${e.name}\\}?\\b`).test(o.value));
      if (referenced && !KNOWN_UNSUPPORTED.has(e.name)) {
        plan.settings[e.name] = e.value;
        plan.imported.push(e);
        continue;
      }
      plan.ignored.push({
        line: e.line,
        parameter: e.name,
        message: KNOWN_UNSUPPORTED.has(e.name) ? `${e.name} is a Postfix setting Postern does not use` : `${e.name} is not a parameter Postern supports`,
      });
      continue;
    }
    // Match lists are first-match-wins: with an exclusion ("!") the order matters, and
    // rows are appended after the setting, so such a list stays whole in the setting.
    if ((ROW_PARAMS as readonly string[]).includes(e.name) && splitList(e.value).some((i) => i.startsWith('!'))) {
      plan.settings[e.name] = e.value;
      plan.imported.push(e);
      continue;
    }
    if ((ROW_PARAMS as readonly string[]).includes(e.name)) {
      const keep: string[] = [];
      for (const item of splitList(e.value)) {
        if (e.name === 'mynetworks' && !item.includes('$') && !item.startsWith('!')) {
          try {
            plan.networks.push({ cidr: formatCidr(parseCidr(item)) });
          } catch (err) {
            plan.errors.push({ line: e.line, parameter: e.name, message: (err as Error).message });
          }
          continue;
        }
        if (e.name !== 'mynetworks' && isLiteralDomain(item) && item.toLowerCase() !== 'localhost') {
          plan.domains.push({ name: item.toLowerCase().replace(/\.$/, ''), kind: e.name === 'mydestination' ? 'LOCAL' : 'RELAY' });
          continue;
        }
        if (/^[a-z]+:/.test(item) || item.startsWith('/')) {
          plan.ignored.push({ line: e.line, parameter: e.name, message: `${e.name}: lookup table "${item}" is not supported; add its entries in the console` });
          continue;
        }
        keep.push(item);
      }
      // Set even when every item became a row: "mydestination = example.com" must not bring
      // back the default ($myhostname, localhost.$mydomain, localhost) in front of the rows.
      plan.settings[e.name] = keep.join(', ');
      plan.imported.push(e);
      continue;
    }
    plan.settings[e.name] = e.value;
    plan.imported.push(e);
  }
  return plan;
};
