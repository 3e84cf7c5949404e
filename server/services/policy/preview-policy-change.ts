// "Review changes": what a settings change would do, before it is saved. The draft is
// compiled exactly as a save would compile it (unknown names, bad values, the open-relay
// self-test), and its main.cf is diffed against the live one. Nothing is stored.
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { renderMainCf } from '../../../mail-engine/policy/main-cf-io';
import { assertRole, type Actor } from '../actor';
import { changedOnly, diffLines, type DiffLine } from './diff-lines';

export type PolicyPreview = { ok: boolean; errors: string[]; warnings: string[]; diff: DiffLine[] };

export const previewSettings = async (db: Db, actor: Actor, changes: Record<string, string | null>): Promise<PolicyPreview> => {
  assertRole(actor, 'ADMIN');
  const rows = await loadPolicyRows(db);
  const settings = { ...rows.settings };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete settings[name];
    else settings[name] = value.trim();
  }
  const draft = { ...rows, settings, revision: rows.revision + 1 };
  const compiled = compilePolicy(draft);
  return {
    ok: compiled.ok,
    errors: compiled.ok ? [] : compiled.errors.map((e) => `${e.parameter}: ${e.message}`),
    warnings: compiled.warnings.map((w) => `${w.parameter}: ${w.message}`),
    diff: changedOnly(diffLines(renderMainCf(rows), renderMainCf(draft))),
  };
};
