// A line diff (longest common subsequence) for main.cf revisions: what the console shows
// before a save and in the revision history. Pure; main.cf files are small.
export type DiffLine = { kind: 'same' | 'add' | 'remove'; text: string };

/** The unified-diff mark of a line: "+", "-" or " ". */
export const diffMark = (kind: DiffLine['kind']) => (kind === 'add' ? '+' : kind === 'remove' ? '-' : ' ');

export const diffLines = (before: string, after: string): DiffLine[] => {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'remove', text: a[i++]! });
    else out.push({ kind: 'add', text: b[j++]! });
  }
  while (i < n) out.push({ kind: 'remove', text: a[i++]! });
  while (j < m) out.push({ kind: 'add', text: b[j++]! });
  return out;
};

/**
 * What changed between two main.cf texts, with a line of context: comments (a revision's
 * header) are left out, Postern's own "#postern:" parameter lines are not.
 */
export const diffMainCf = (before: string, after: string): DiffLine[] => {
  const content = (cf: string) => cf.split('\n').filter((l) => !l.startsWith('#') || l.startsWith('#postern:')).join('\n');
  return changedOnly(diffLines(content(before), content(after)));
};

/** Only the changed lines, each with up to `context` unchanged lines around it. */
export const changedOnly = (lines: DiffLine[], context = 1): DiffLine[] => {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (l.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep.add(k);
  });
  return lines.filter((_, i) => keep.has(i));
};
