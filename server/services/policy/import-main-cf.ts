// Imports a Postfix main.cf: the settings replace Postern's, and its literal domains and
// networks replace the console's (users and aliases stay). The report lists what was
// imported, what was ignored and why; a dry run changes nothing. The import is refused
// when the result would not compile (or would be an open relay).
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { planImport, type ImportPlan } from '../../../mail-engine/policy/main-cf-io';
import { previewDraft, type PolicyPreview } from './preview-policy-change';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from './commit-policy-change';

export type ImportReport = ImportPlan & { applied: boolean; revision?: number; preview?: PolicyPreview };

/** The domains and networks an import stores: each once, in the order main.cf lists them. */
const importedRows = (plan: ImportPlan) => {
  const unique = <T>(items: T[], key: (t: T) => string) => {
    const seen = new Set<string>();
    return items.filter((t) => !seen.has(key(t)) && !!seen.add(key(t)));
  };
  return { domains: unique(plan.domains, (d) => d.name), networks: unique(plan.networks, (n) => n.cidr) };
};

/** The draft the import would make, compiled and diffed against the live policy (dry runs). */
const previewImport = async (db: Db, plan: ImportPlan) => {
  const rows = await loadPolicyRows(db);
  const { domains, networks } = importedRows(plan);
  return previewDraft(rows, { ...rows, settings: plan.settings, domains: domains.map((d) => ({ ...d, active: true })), networks, revision: rows.revision + 1 });
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
    const { domains, networks } = importedRows(plan);
    await tx.domain.deleteMany({});
    for (const d of domains) await tx.domain.create({ data: { name: d.name, kind: d.kind } });
    await tx.trustedNetwork.deleteMany({});
    let position = 0;
    for (const n of networks) await tx.trustedNetwork.create({ data: { cidr: n.cidr, position: ++position } });
  });
  return { ...plan, applied: true, revision };
};
