// "Review changes": what a settings change would do, before it is saved. The draft is
// compiled exactly as a save would compile it (unknown names, bad values, the open-relay
// self-test), and its main.cf is diffed against the live one. Nothing is stored.
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { renderMainCf } from '../../../mail-engine/policy/main-cf-io';
import type { PolicyRows } from '../../../mail-engine/policy/types';
import { assertRole, type Actor } from '../actor';
import { diffMainCf, diffMark, type DiffLine } from './diff-lines';

export type PolicyPreview = { ok: boolean; errors: string[]; warnings: string[]; diff: DiffLine[] };

/** A preview as text (the console's import report, the CLI's dry run): refusals, then the diff. */
export const previewLines = (p: Pick<PolicyPreview, 'errors' | 'diff'>): string[] => [
  ...p.errors.map((e) => `would be refused: ${e}`),
  p.diff.length ? 'Changes to the live main.cf:' : 'No change to the live main.cf.',
  ...p.diff.map((d) => `  ${diffMark(d.kind)} ${d.text}`),
];

/** A draft of the live rows, compiled as a save would compile it, and its main.cf diff. */
export const previewDraft = (live: PolicyRows, draft: PolicyRows): PolicyPreview => {
  const compiled = compilePolicy(draft);
  return {
    ok: compiled.ok,
    errors: compiled.ok ? [] : compiled.errors.map((e) => `${e.parameter}: ${e.message}`),
    warnings: compiled.warnings.map((w) => `${w.parameter}: ${w.message}`),
    diff: diffMainCf(renderMainCf(live), renderMainCf(draft)),
  };
};

export const previewSettings = async (db: Db, actor: Actor, changes: Record<string, string | null>): Promise<PolicyPreview> => {
  assertRole(actor, 'ADMIN');
  const rows = await loadPolicyRows(db);
  const settings = { ...rows.settings };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete settings[name];
    else settings[name] = value.trim();
  }
  return previewDraft(rows, { ...rows, settings, revision: rows.revision + 1 });
};
