'use client';
import { useState } from 'react';
import { previewSettingsAction, saveSettingsAction } from '@/server/actions/settings';
import { ReviewAndSave } from './review-and-save';

/** Any main.cf parameter by its postconf name, reviewed (diff and open-relay test) before it is saved. */
export const ParameterEditor = ({ parameters }: { parameters: { name: string; doc: string; value?: string }[] }) => {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [unset, setUnset] = useState(false);
  const known = parameters.find((p) => p.name === name.trim());
  const changes: Record<string, string | null> = name.trim() ? { [name.trim()]: unset ? null : value } : {};
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-sm">
          <span className="mb-1 font-medium text-slate-800">Parameter (postconf name)</span>
          <input
            value={name}
            list="parameters"
            onChange={(e) => {
              setName(e.target.value);
              const p = parameters.find((x) => x.name === e.target.value.trim());
              if (p) setValue(p.value ?? '');
            }}
            className="rounded-md border border-slate-300 px-2 py-1.5 font-mono"
          />
        </label>
        <label className="flex flex-col text-sm">
          <span className="mb-1 font-medium text-slate-800">Value</span>
          <input value={value} disabled={unset} onChange={(e) => setValue(e.target.value)} className="w-96 max-w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono" />
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={unset} onChange={(e) => setUnset(e.target.checked)} /> Reset to default
        </label>
      </div>
      {known ? <p className="text-xs text-slate-600">{known.doc}</p> : name.trim() ? <p className="text-xs text-warn">Not a Postern parameter: it is kept as a user variable for $references.</p> : null}
      <datalist id="parameters">
        {parameters.map((x) => (
          <option key={x.name} value={x.name}>
            {x.doc}
          </option>
        ))}
      </datalist>
      <ReviewAndSave changes={changes} preview={previewSettingsAction} save={saveSettingsAction} />
    </div>
  );
};
