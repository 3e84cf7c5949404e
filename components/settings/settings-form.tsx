'use client';
import { useState } from 'react';
import { previewSettingsAction, saveSettingsAction } from '@/server/actions/settings';
import type { SettingField } from '@/server/queries/settings';
import { ReviewAndSave } from '../policy/review-and-save';

type Group = { id: string; title: string; fields: SettingField[] };

/**
 * Every field shows its postconf name, its one-line doc, and the default it falls back to.
 * Only fields the admin touched are sent; "default" clears an explicit value.
 */
export const SettingsForm = ({ groups }: { groups: Group[] }) => {
  const [values, setValues] = useState<Record<string, string | null>>({});
  const initial = Object.fromEntries(groups.flatMap((g) => g.fields.map((f) => [f.name, f.value ?? null])));
  const changes = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== initial[k]));
  const set = (name: string, value: string | null) => setValues((v) => ({ ...v, [name]: value }));
  const valueOf = (f: SettingField) => (f.name in values ? values[f.name] : (f.value ?? null));
  return (
    <div className="space-y-6">
      {groups.map((g) => (
        <fieldset key={g.id} className="space-y-3">
          <legend className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-600">{g.title}</legend>
          {g.fields.map((f) => {
            const v = valueOf(f);
            const id = `setting-${f.name}`;
            const changed = f.name in changes;
            return (
              <div key={f.name} className={`grid gap-1 rounded-md p-2 sm:grid-cols-[16rem_1fr] ${changed ? 'bg-amber-50' : ''}`}>
                <label htmlFor={id} className="font-mono text-sm font-medium text-slate-900">
                  {f.name}
                </label>
                <div className="space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    {f.type === 'bool' || f.type === 'enum' ? (
                      <select id={id} value={v ?? ''} onChange={(e) => set(f.name, e.target.value === '' ? null : e.target.value)} className="rounded-md border border-slate-300 px-2 py-1.5 text-sm" aria-describedby={`${id}-doc`}>
                        <option value="">default ({f.defaultValue || 'empty'})</option>
                        {(f.type === 'bool' ? ['yes', 'no'] : (f.values ?? [])).map((o) => (
                          <option key={o} value={o}>
                            {o}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        id={id}
                        value={v ?? ''}
                        placeholder={f.defaultValue ? `default: ${f.defaultValue}` : 'default: empty'}
                        onChange={(e) => set(f.name, e.target.value === '' ? null : e.target.value)}
                        className="w-full max-w-xl rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm"
                        aria-describedby={`${id}-doc`}
                      />
                    )}
                    {v !== null ? (
                      <button type="button" className="text-xs text-brand-700 underline" onClick={() => set(f.name, null)}>
                        use default
                      </button>
                    ) : null}
                  </div>
                  <p id={`${id}-doc`} className="text-xs text-slate-600">
                    {f.doc} <span className="text-slate-500">Now: <code>{f.effective || '(empty)'}</code></span>
                  </p>
                </div>
              </div>
            );
          })}
        </fieldset>
      ))}
      <ReviewAndSave changes={changes} preview={previewSettingsAction} save={saveSettingsAction} onSaved={() => setValues({})} />
    </div>
  );
};
