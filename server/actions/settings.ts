'use server';
// Server actions for main.cf parameters: review (compiled draft and diff), then save. Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { updateSettings } from '../services/settings/update-settings';
import { previewSettings } from '../services/policy/preview-policy-change';
import { AppError } from '../errors/app-error';
import { authedAction, str } from './_lib/authed-action';

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
