'use client';
import { useState } from 'react';
import { previewSettingsAction, saveSettingsAction } from '@/server/actions/settings';
import { ReviewAndSave } from '../policy/review-and-save';

type Supported = { name: string; doc: string; arg: 'table' | 'zone' | null };
type List = { name: string; doc: string; explicit: boolean; value: string };
type Item = { name: string; arg?: string };

const parse = (value: string, supported: Map<string, Supported>): Item[] => {
  const tokens = value.split(/[\s,]+/).filter(Boolean);
  const out: Item[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const spec = supported.get(tokens[i]!);
    if (spec?.arg && tokens[i + 1]) out.push({ name: tokens[i]!, arg: tokens[++i] });
    else out.push({ name: tokens[i]! });
  }
  return out;
};
const format = (items: Item[]) => items.map((i) => (i.arg ? `${i.name} ${i.arg}` : i.name)).join(', ');

/**
 * The ordered restriction lists: move entries up and down, remove them, add any supported
 * restriction (with its access table or DNSBL zone). Order matters — the first entry that
 * decides ends the list — so the position is shown and kept.
 */
export const RestrictionsEditor = ({ lists, supported }: { lists: List[]; supported: Supported[] }) => {
  const spec = new Map(supported.map((s) => [s.name, s]));
  const initial = Object.fromEntries(lists.map((l) => [l.name, parse(l.value, spec)]));
  const [items, setItems] = useState<Record<string, Item[]>>(initial);
  const [adding, setAdding] = useState<Record<string, { name: string; arg: string }>>({});
  const changes: Record<string, string> = {};
  for (const l of lists) {
    const now = format(items[l.name] ?? []);
    if (now !== format(initial[l.name] ?? [])) changes[l.name] = now;
  }
  const update = (list: string, fn: (xs: Item[]) => Item[]) => setItems((s) => ({ ...s, [list]: fn([...(s[list] ?? [])]) }));
  return (
    <div className="space-y-6">
      {lists.map((l) => {
        const xs = items[l.name] ?? [];
        const add = adding[l.name] ?? { name: '', arg: '' };
        const addSpec = spec.get(add.name);
        return (
          <section key={l.name} aria-label={l.name} className={`rounded-md border p-3 ${l.name in changes ? 'border-amber-300 bg-amber-50' : 'border-slate-200'}`}>
            <h3 className="font-mono text-sm font-semibold">{l.name}</h3>
            <p className="mb-2 text-xs text-slate-600">{l.doc}</p>
            {xs.length === 0 ? <p className="text-sm text-slate-600">Empty: this list permits.</p> : null}
            <ol className="space-y-1">
              {xs.map((it, i) => (
                <li key={`${it.name}-${it.arg ?? ''}-${i}`} className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="w-6 text-right text-slate-500">{i + 1}.</span>
                  <span className="font-mono" title={spec.get(it.name)?.doc}>
                    {it.name}
                    {it.arg ? <span className="text-brand-700"> {it.arg}</span> : null}
                  </span>
                  <span className="ml-auto flex gap-1">
                    <button type="button" className="rounded px-2 py-0.5 ring-1 ring-slate-300 disabled:opacity-40" disabled={i === 0} aria-label={`Move ${it.name} up in ${l.name}`} onClick={() => update(l.name, (a) => ([a[i - 1], a[i]] = [a[i]!, a[i - 1]!], a))}>
                      ↑
                    </button>
                    <button type="button" className="rounded px-2 py-0.5 ring-1 ring-slate-300 disabled:opacity-40" disabled={i === xs.length - 1} aria-label={`Move ${it.name} down in ${l.name}`} onClick={() => update(l.name, (a) => ([a[i], a[i + 1]] = [a[i + 1]!, a[i]!], a))}>
                      ↓
                    </button>
                    <button type="button" className="rounded px-2 py-0.5 text-bad ring-1 ring-slate-300" aria-label={`Remove ${it.name} from ${l.name}`} onClick={() => update(l.name, (a) => a.filter((_, k) => k !== i))}>
                      remove
                    </button>
                  </span>
                </li>
              ))}
            </ol>
            <div className="mt-2 flex flex-wrap items-end gap-2">
              <label className="flex flex-col text-xs">
                <span className="mb-0.5 font-medium">Add to {l.name}</span>
                <select value={add.name} onChange={(e) => setAdding((s) => ({ ...s, [l.name]: { name: e.target.value, arg: '' } }))} className="rounded-md border border-slate-300 px-2 py-1 font-mono text-sm">
                  <option value="">choose a restriction…</option>
                  {supported.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>
              {addSpec?.arg ? (
                <label className="flex flex-col text-xs">
                  <span className="mb-0.5 font-medium">{addSpec.arg === 'table' ? 'Access table name' : 'DNSBL zone'}</span>
                  <input value={add.arg} onChange={(e) => setAdding((s) => ({ ...s, [l.name]: { ...add, arg: e.target.value.trim() } }))} className="rounded-md border border-slate-300 px-2 py-1 font-mono text-sm" placeholder={addSpec.arg === 'table' ? 'blocked_senders' : 'zen.spamhaus.org'} />
                </label>
              ) : null}
              <button
                type="button"
                className="rounded-md px-3 py-1.5 text-sm ring-1 ring-slate-300 disabled:opacity-40"
                disabled={!addSpec || (!!addSpec.arg && !add.arg)}
                onClick={() => {
                  update(l.name, (a) => [...a, { name: add.name, ...(addSpec?.arg ? { arg: add.arg } : {}) }]);
                  setAdding((s) => ({ ...s, [l.name]: { name: '', arg: '' } }));
                }}
              >
                Add
              </button>
              {addSpec ? <span className="text-xs text-slate-600">{addSpec.doc}</span> : null}
            </div>
          </section>
        );
      })}
      <ReviewAndSave changes={changes} preview={previewSettingsAction} save={saveSettingsAction} onSaved={() => setAdding({})} />
    </div>
  );
};
