// Imports a Postfix main.cf: the settings replace Postern's, and its literal domains and
// networks replace the console's (users and aliases stay). The report lists what was
// imported, what was ignored and why; a dry run changes nothing. The import is refused
// when the result would not compile (or would be an open relay).
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { planImport, renderMainCf, type ImportPlan } from '../../../mail-engine/policy/main-cf-io';
import { changedOnly, diffLines, type DiffLine } from './diff-lines';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from './commit-policy-change';

export type ImportReport = ImportPlan & { applied: boolean; revision?: number; preview?: { errors: string[]; diff: DiffLine[] } };

/** The draft the import would make, compiled and diffed against the live policy (dry runs). */
const previewImport = async (db: Db, plan: ImportPlan) => {
  const rows = await loadPolicyRows(db);
  const seen = new Set<string>();
  const draft = {
    ...rows,
    settings: plan.settings,
    domains: plan.domains.filter((d) => !seen.has(d.name) && seen.add(d.name)).map((d) => ({ ...d, active: true })),
    networks: plan.networks,
    revision: rows.revision + 1,
  };
  const compiled = compilePolicy(draft);
  const strip = (cf: string) => cf.split('\n').filter((l) => !l.startsWith('#')).join('\n');
  return {
    errors: compiled.ok ? [] : compiled.errors.map((e) => `${e.parameter}: ${e.message}`),
    diff: changedOnly(diffLines(strip(renderMainCf(rows)), strip(renderMainCf(draft)))),
  };
};

export const importMainCf = async (db: Db, actor: Actor, text: string, o: { dryRun?: boolean } = {}): Promise<ImportReport> => {
  assertRole(actor, 'ADMIN');
  if (text.length > 1_000_000) throw new AppError('INVALID_INPUT', 'main.cf is larger than 1 MB');
  const plan = planImport(text);
  if (plan.errors.length) {
    throw new AppError('INVALID_INPUT', plan.errors.map((e) => `line ${e.line}: ${e.message}`).join('\n'));
  }
  if (o.dryRun) return { ...plan, applied: false, preview: await previewImport(db, plan) };
  const { revision } = await commitPolicyChange(db, actor, { action: 'policy.import', entity: 'policy', summary: `import main.cf (${plan.imported.length} parameters)`, after: plan.settings }, async (tx) => {
    await tx.setting.deleteMany({});
    for (const [name, value] of Object.entries(plan.settings)) await tx.setting.create({ data: { name, value } });
    await tx.domain.deleteMany({});
    const seen = new Set<string>();
    for (const d of plan.domains) {
      if (seen.has(d.name)) continue;
      seen.add(d.name);
      await tx.domain.create({ data: { name: d.name, kind: d.kind } });
    }
    await tx.trustedNetwork.deleteMany({});
    let position = 0;
    for (const n of plan.networks) {
      if (seen.has(n.cidr)) continue;
      seen.add(n.cidr);
      await tx.trustedNetwork.create({ data: { cidr: n.cidr, position: ++position } });
    }
  });
  return { ...plan, applied: true, revision };
};
