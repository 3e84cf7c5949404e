'use server';
import 'server-only';
import { revalidatePath } from 'next/cache';
import { createAlias, deleteAlias } from '../services/aliases/create-alias';
import { createDomain } from '../services/domains/create-domain';
import { deleteDomain } from '../services/domains/delete-domain';
import { updateDomain } from '../services/domains/update-domain';
import { createNetwork } from '../services/networks/create-network';
import { deleteNetwork } from '../services/networks/delete-network';
import { checkPolicy } from '../services/policy/check-policy';
import { importMainCf } from '../services/policy/import-main-cf';
import { updateSettings } from '../services/settings/update-settings';
import { createUser } from '../services/users/create-user';
import { deleteUser } from '../services/users/delete-user';
import { resetUserPassword } from '../services/users/set-user-password';
import { deleteQueuedMessage, holdMessage, releaseMessage, retryQueue } from '../services/queue/manage-queue';
import { deleteAccessEntry, setAccessEntry } from '../services/access/manage-access-entries';
import { previewLines, previewSettings } from '../services/policy/preview-policy-change';
import { rollbackPolicy } from '../services/policy/rollback-policy';
import { updateUser } from '../services/users/update-user';
import { AppError } from '../errors/app-error';
import { authedAction, str } from './_lib/authed-action';

export const createDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await createDomain(db, actor, { name: str(f, 'name'), kind: str(f, 'kind') as 'LOCAL' | 'RELAY', description: str(f, 'description') });
  revalidatePath('/domains');
  return { data: null, message: `Added ${d.name}; it is live on every engine within a second.` };
});

export const updateDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await updateDomain(db, actor, { id: str(f, 'id'), kind: str(f, 'kind') || undefined, description: str(f, 'description') });
  revalidatePath('/domains');
  return { data: null, message: `${d.name} saved.` };
});

export const toggleDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await updateDomain(db, actor, { id: str(f, 'id'), active: str(f, 'active') === 'true' });
  revalidatePath('/domains');
  return { data: null, message: `${d.name} is now ${d.active ? 'enabled' : 'disabled'}.` };
});

export const deleteDomainAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const d = await deleteDomain(db, actor, Number(str(f, 'id')));
  revalidatePath('/domains');
  return { data: null, message: `Deleted ${d.name}.` };
});

export const createNetworkAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const n = await createNetwork(db, actor, { cidr: str(f, 'cidr'), note: str(f, 'note'), confirmWide: f.get('confirmWide') === 'on' });
  revalidatePath('/networks');
  return { data: null, message: `Now trusting ${n.cidr}.` };
});

export const deleteNetworkAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const n = await deleteNetwork(db, actor, Number(str(f, 'id')));
  revalidatePath('/networks');
  return { data: null, message: `No longer trusting ${n.cidr}.` };
});

export const createUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const u = await createUser(db, actor, {
    address: str(f, 'address'),
    password: str(f, 'password'),
    role: str(f, 'role') as 'ADMIN' | 'OPERATOR' | 'USER',
    hasMailbox: f.get('hasMailbox') === 'on',
    quotaMb: Number(str(f, 'quotaMb') || 0),
  });
  revalidatePath('/users');
  return { data: null, message: `Created ${u.address}.` };
});

export const updateUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const address = str(f, 'address');
  await updateUser(db, actor, {
    address,
    ...(f.has('role') ? { role: str(f, 'role') } : {}),
    ...(f.has('quotaMb') ? { quotaMb: str(f, 'quotaMb') } : {}),
    ...(f.has('mailboxSent') ? { hasMailbox: f.get('hasMailbox') === 'on' } : {}),
    ...(f.has('active') ? { active: str(f, 'active') === 'true' } : {}),
  });
  revalidatePath('/users');
  return { data: null, message: `${address} saved.` };
});

export const deleteUserAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const u = await deleteUser(db, actor, str(f, 'address'));
  revalidatePath('/users');
  return { data: null, message: `Deleted ${u.address}.` };
});

export const resetPasswordAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  await resetUserPassword(db, actor, str(f, 'address'), str(f, 'password'));
  return { data: null, message: `Password of ${str(f, 'address')} reset; their sessions ended.` };
});

export const createAliasAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const targets = str(f, 'targets').split(/[\s,]+/).filter(Boolean);
  await createAlias(db, actor, { address: str(f, 'address'), targets });
  revalidatePath('/users');
  return { data: null, message: `${str(f, 'address')} → ${targets.join(', ')}` };
});

export const deleteAliasAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  await deleteAlias(db, actor, str(f, 'address'));
  revalidatePath('/users');
  return { data: null, message: `Removed alias ${str(f, 'address')}.` };
});

export const importMainCfAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const file = f.get('file');
  const text = file instanceof File && file.size ? await file.text() : str(f, 'text');
  if (!text.trim()) throw new AppError('INVALID_INPUT', 'Paste a main.cf or choose a file', { text: ['Empty'] });
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

export const setAccessEntryAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const e = await setAccessEntry(db, actor, { table: str(f, 'table'), key: str(f, 'key'), action: str(f, 'action') });
  revalidatePath('/restrictions');
  return { data: null, message: `${e.table}: ${e.key} → ${e.action}` };
});

export const deleteAccessEntryAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const e = await deleteAccessEntry(db, actor, Number(str(f, 'id')));
  revalidatePath('/restrictions');
  return { data: null, message: `Removed ${e.key} from ${e.table}.` };
});

const changesOf = (f: FormData): Record<string, string | null> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(str(f, 'changes') || '{}');
  } catch {
    throw new AppError('INVALID_INPUT', 'The changes could not be read');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AppError('INVALID_INPUT', 'The changes could not be read');
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v !== null && typeof v !== 'string') throw new AppError('INVALID_INPUT', `${k}: not a text value`);
    out[k] = v as string | null;
  }
  if (!Object.keys(out).length) throw new AppError('INVALID_INPUT', 'Nothing changed');
  return out;
};

/** Review a settings change: the compiled draft's errors and its main.cf diff; nothing is saved. */
export const previewSettingsAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const preview = await previewSettings(db, actor, changesOf(f));
  return { data: preview, message: preview.ok ? 'This is what would change.' : 'This change would be refused.' };
});

export const saveSettingsAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const r = await updateSettings(db, actor, changesOf(f));
  revalidatePath('/settings');
  revalidatePath('/restrictions');
  revalidatePath('/policy');
  return { data: null, message: `Saved ${r.changed.join(', ')}; live on every engine within a second.` };
});

export const rollbackPolicyAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const target = Number(str(f, 'revision'));
  const revision = await rollbackPolicy(db, actor, target);
  revalidatePath('/policy');
  return { data: null, message: `Restored revision ${target} as revision ${revision}.` };
});

export const queueAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const id = str(f, 'id');
  const op = str(f, 'op');
  let message: string;
  if (op === 'delete') {
    await deleteQueuedMessage(db, actor, id);
    message = `${id} deleted.`;
  } else if (op === 'hold') {
    await holdMessage(db, actor, id);
    message = `${id} is on hold.`;
  } else if (op === 'release') {
    await releaseMessage(db, actor, id);
    message = `${id} released; delivery resumes within a second.`;
  } else if (op === 'retry') {
    await retryQueue(db, actor, id);
    message = `${id}: retrying now.`;
  } else if (op === 'flush') {
    message = `Retrying ${await retryQueue(db, actor)} recipient(s) now.`;
  } else {
    throw new AppError('INVALID_INPUT', `Unknown queue operation "${op}"`);
  }
  revalidatePath('/queue');
  return { data: null, message };
});
