'use server';
// Server actions for the policy as a whole: main.cf import, the policy tester, rollback. Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { checkPastedMessage } from '../services/policy/check-message';
import { checkPolicy } from '../services/policy/check-policy';
import { importMainCf } from '../services/policy/import-main-cf';
import { previewLines } from '../services/policy/preview-policy-change';
import { rollbackPolicy } from '../services/policy/rollback-policy';
import { AppError } from '../errors/app-error';
import { MAIN_CF_LIMIT } from '../schemas/limits';
import { authedAction, str } from './_lib/authed-action';

export const importMainCfAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const file = f.get('file');
  if (file instanceof File && file.size > MAIN_CF_LIMIT) throw new AppError('INVALID_INPUT', `${file.name} is ${file.size.toLocaleString('en')} bytes: the limit is ${MAIN_CF_LIMIT.toLocaleString('en')}`, { text: ['Too large'] });
  const text = file instanceof File && file.size ? await file.text() : str(f, 'text');
  if (!text.trim()) throw new AppError('INVALID_INPUT', 'Paste a main.cf or choose a file', { text: ['Empty'] });
  if (text.length > MAIN_CF_LIMIT) throw new AppError('INVALID_INPUT', `The main.cf is ${text.length.toLocaleString('en')} characters: the limit is ${MAIN_CF_LIMIT.toLocaleString('en')}`, { text: ['Too large'] });
  const dryRun = f.get('dryRun') === 'on';
  const r = await importMainCf(db, actor, text, { dryRun });
  revalidatePath('/policy');
  const lines = [
    `${r.applied ? 'Imported' : 'Dry run: would import'} ${r.imported.length} parameters, ${r.domains.length} domains, ${r.networks.length} networks.`,
    ...r.ignored.map((i) => `line ${i.line}: ignored ${i.parameter}: ${i.message}`),
    ...r.warnings.map((w) => `line ${w.line}: ${w.message}`),
    ...(r.preview ? previewLines(r.preview) : []),
  ];
  return { data: null, message: lines.join('\n') };
});

export const checkPolicyAction = authedAction('OPERATOR', async ({ actor, db }, f) => {
  const d = await checkPolicy(db, actor, { client: str(f, 'client'), helo: str(f, 'helo'), saslUser: str(f, 'saslUser'), from: str(f, 'from'), rcpt: str(f, 'rcpt') });
  const lines = [`${d.reply.code} ${d.reply.enhanced} ${d.reply.text}`, `decision: ${d.action}${d.by ? ` by ${d.by}` : ''} (revision ${d.revision})`, ...d.trace.map((t) => `  ${t.list ? `${t.list}: ` : ''}${t.restriction ? `${t.restriction} → ` : ''}${t.fact}`)];
  return { data: null, message: lines.join('\n') };
});

export const checkMessageAction = authedAction('OPERATOR', async ({ actor, db }, f) => {
  const r = await checkPastedMessage(db, actor, { client: str(f, 'client'), helo: str(f, 'helo'), from: str(f, 'from'), message: str(f, 'message') });
  const d = r.decision;
  const lines = [
    r.summary,
    `${d.reply.code < 400 ? 'accepted' : `${d.reply.code} ${d.reply.enhanced} ${d.reply.text}`}; decision: ${d.action}${d.by ? ` by ${d.by}` : ''} (revision ${r.revision})`,
    ...d.trace.map((t) => `  ${t.list ? `${t.list}: ` : ''}${t.restriction ? `${t.restriction} → ` : ''}${t.fact}`),
    ...(r.removedForged ? [`${r.removedForged} Authentication-Results field(s) claiming this host removed`] : []),
    '',
    r.headers.replace(/\r\n/g, '\n').trim(),
  ];
  return { data: null, message: lines.join('\n') };
});

export const rollbackPolicyAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const target = Number(str(f, 'revision'));
  const revision = await rollbackPolicy(db, actor, target);
  revalidatePath('/policy');
  return { data: null, message: `Restored revision ${target} as revision ${revision}.` };
});
