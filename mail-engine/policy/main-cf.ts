// main.cf text ⇄ parameter entries, and $name expansion (postconf(5) "SYNTAX").
// Pure. A logical line starts in column 1; lines starting with white space continue it;
// blank lines and lines whose first non-blank character is "#" are ignored — except
// "#postern: name = value", which carries a Postern-only parameter through Postfix's tools.
// Expansion supports $name, ${name}, $(name), ${name?text}, ${name:text},
// ${name?{text}:{text}} and $$, and reports reference cycles instead of looping.

export type MainCfEntry = { name: string; value: string; line: number };
export type MainCfIssue = { line: number; message: string; parameter?: string };
export type ParsedMainCf = { entries: MainCfEntry[]; errors: MainCfIssue[]; warnings: MainCfIssue[] };

const NAME = /^[A-Za-z0-9_.-]+$/;
const POSTERN_LINE = /^#postern:\s*(postern_[A-Za-z0-9_.-]+\s*=.*)$/;

export const parseMainCf = (text: string): ParsedMainCf => {
  const errors: MainCfIssue[] = [];
  const warnings: MainCfIssue[] = [];
  const logical: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw0, i) => {
    const line = i + 1;
    const own = POSTERN_LINE.exec(raw0);
    const raw = own ? own[1]! : raw0;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    if (/^\s/.test(raw)) {
      const prev = logical.at(-1);
      if (!prev) {
        errors.push({ line, message: 'continuation line (starts with white space) without a parameter before it' });
        return;
      }
      prev.text += ` ${raw.trim()}`;
      return;
    }
    logical.push({ text: raw, line });
  });

  const byName = new Map<string, MainCfEntry>();
  for (const { text: l, line } of logical) {
    const eq = l.indexOf('=');
    if (eq < 0) {
      errors.push({ line, message: `expected "name = value", got "${l.trim().slice(0, 60)}"` });
      continue;
    }
    const name = l.slice(0, eq).trim();
    const value = l.slice(eq + 1).trim();
    if (!NAME.test(name)) {
      errors.push({ line, message: `"${name}" is not a valid parameter name`, parameter: name });
      continue;
    }
    const earlier = byName.get(name);
    if (earlier) {
      warnings.push({ line, parameter: name, message: `${name} overrides the earlier entry on line ${earlier.line}` });
    }
    byName.set(name, { name, value, line });
  }
  return { entries: [...byName.values()].sort((a, b) => a.line - b.line), errors, warnings };
};

export const serializeMainCf = (entries: readonly { name: string; value: string }[], header = ''): string => {
  const head = header ? `${header.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n')}\n` : '';
  const line = ({ name, value }: { name: string; value: string }) => (value === '' ? `${name} =` : `${name} = ${value}`);
  const own = entries.filter((e) => e.name.startsWith('postern_'));
  const tail = own.length
    ? `\n# Postern's own parameters: Postfix ignores these comment lines, "postern import-postfix" reads them.\n${own.map((e) => `#postern: ${line(e)}`).join('\n')}\n`
    : '';
  return head + entries.filter((e) => !e.name.startsWith('postern_')).map(line).join('\n') + '\n' + tail;
};

export class ExpansionError extends Error {
  constructor(readonly parameter: string, message: string) {
    super(message);
  }
}

/** Looks up a raw value by name; undefined when the parameter is not defined at all. */
export type RawLookup = (name: string) => string | undefined;

/**
 * Expands every $reference in `raw`. `stack` holds the parameters being expanded, so a
 * reference back into it is a cycle (postconf: "recursion" error) rather than a hang.
 */
export const expandValue = (raw: string, lookup: RawLookup, stack: string[] = [], undefinedRefs?: Set<string>): string => {
  let out = '';
  let i = 0;
  const resolve = (name: string): string => {
    if (stack.includes(name)) {
      throw new ExpansionError(stack[0] ?? name, `circular reference: ${[...stack, name].join(' → ')}`);
    }
    const v = lookup(name);
    if (v === undefined) {
      undefinedRefs?.add(name);
      return '';
    }
    return expandValue(v, lookup, [...stack, name], undefinedRefs);
  };
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{' || next === '(') {
      const close = next === '{' ? '}' : ')';
      const end = matchingClose(raw, i + 1, next, close);
      if (end < 0) throw new ExpansionError(stack[0] ?? '', `unbalanced "${next}" in "${raw}"`);
      const inner = raw.slice(i + 2, end);
      const m = /^([A-Za-z0-9_.-]+)(?:([?:])([\s\S]*))?$/.exec(inner);
      if (!m) throw new ExpansionError(stack[0] ?? '', `bad reference "$${next}${inner}${close}"`);
      const [, name, op, rest] = m as unknown as [string, string, string | undefined, string | undefined];
      if (!op) {
        out += resolve(name);
      } else {
        const value = resolve(name);
        const [ifSet, ifUnset] = splitConditional(rest ?? '');
        const chosen = op === '?' ? (value !== '' ? ifSet : ifUnset ?? '') : value === '' ? ifSet : '';
        out += expandValue(chosen, lookup, stack, undefinedRefs);
      }
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z0-9_]+/.exec(raw.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    out += resolve(m[0]);
    i += 1 + m[0].length;
  }
  return out;
};

const matchingClose = (s: string, openAt: number, open: string, close: string): number => {
  let depth = 0;
  for (let j = openAt; j < s.length; j++) {
    if (s[j] === open) depth++;
    else if (s[j] === close && --depth === 0) return j;
  }
  return -1;
};

/** "{a}:{b}" (Postfix 3.0 form) → [a, b]; plain "text" → [text, undefined]. */
const splitConditional = (rest: string): [string, string | undefined] => {
  const t = rest.trim();
  if (t.startsWith('{')) {
    const end = matchingClose(t, 0, '{', '}');
    const first = t.slice(1, end);
    const after = t.slice(end + 1).trim();
    if (after.startsWith(':')) {
      const second = after.slice(1).trim();
      return [first, second.startsWith('{') ? second.slice(1, matchingClose(second, 0, '{', '}')) : second];
    }
    return [first, undefined];
  }
  return [rest, undefined];
};
