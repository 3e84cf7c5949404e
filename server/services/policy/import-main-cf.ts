// Imports a Postfix main.cf: the settings replace Postern's, and its literal domains and
// networks replace the console's (users and aliases stay). The report lists what was
// imported, what was ignored and why; a dry run changes nothing. The import is refused
// when the result would not compile (or would be an open relay).
import type { Db } from '../../../prisma/client';
import { planImport, type ImportPlan } from '../../../mail-engine/policy/main-cf-io';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from './commit-policy-change';

export type ImportReport = ImportPlan & { applied: boolean; revision?: number };

export const importMainCf = async (db: Db, actor: Actor, text: string, o: { dryRun?: boolean } = {}): Promise<ImportReport> => {
  assertRole(actor, 'ADMIN');
  if (text.length > 1_000_000) throw new AppError('INVALID_INPUT', 'main.cf is larger than 1 MB');
  const plan = planImport(text);
  if (plan.errors.length) {
    throw new AppError('INVALID_INPUT', plan.errors.map((e) => `line ${e.line}: ${e.message}`).join('\n'));
  }
  if (o.dryRun) return { ...plan, applied: false };
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
