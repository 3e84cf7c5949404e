'use client';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/server/errors/app-error';
import type { PolicyPreview } from '@/server/services/policy/preview-policy-change';
import { Button } from '../ui/button';
import { DiffView } from './diff-view';

type Action<T> = (prev: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

/**
 * The two-step save every policy editor uses: "Review changes" compiles the draft on the
 * server (open-relay self-test included) and shows the main.cf diff; "Save" commits it.
 * A draft that would be refused cannot be saved from here.
 */
export const ReviewAndSave = ({
  changes,
  preview,
  save,
  onSaved,
}: {
  changes: Record<string, string | null>;
  preview: Action<PolicyPreview>;
  save: Action<null>;
  onSaved?: () => void;
}) => {
  const [pending, start] = useTransition();
  const [reviewed, setReviewed] = useState<{ key: string; result: ActionResult<PolicyPreview> } | null>(null);
  const [saved, setSaved] = useState<ActionResult<null> | null>(null);
  const key = JSON.stringify(changes);
  const count = Object.keys(changes).length;
  const form = () => {
    const f = new FormData();
    f.set('changes', key);
    return f;
  };
  const current = reviewed?.key === key ? reviewed.result : null;
  const canSave = !!current && current.ok && current.data.ok;
  return (
    <div className="space-y-3 border-t border-slate-200 pt-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button
          type="button"
          variant="secondary"
          disabled={pending || count === 0}
          onClick={() =>
            start(async () => {
              setSaved(null);
              setReviewed({ key, result: await preview(null, form()) });
            })
          }
        >
          Review {count ? `${count} change${count === 1 ? '' : 's'}` : 'changes'}
        </Button>
        <Button
          type="button"
          disabled={pending || !canSave}
          onClick={() =>
            start(async () => {
              const r = await save(null, form());
              setSaved(r);
              if (r.ok) {
                setReviewed(null);
                onSaved?.();
              }
            })
          }
        >
          Save
        </Button>
        {count && !current ? <span className="text-sm text-slate-600">Review the changes before saving.</span> : null}
      </div>
      <div role="status" aria-live="polite" className="space-y-2 text-sm">
        {saved?.ok ? <p className="text-ok">{saved.message}</p> : null}
        {saved && !saved.ok ? <p className="whitespace-pre-wrap text-bad">{saved.message}</p> : null}
        {current && !current.ok ? <p className="whitespace-pre-wrap text-bad">{current.message}</p> : null}
        {current?.ok ? (
          <>
            {current.data.errors.length ? (
              <div className="rounded-md bg-red-50 p-2 text-bad">
                <p className="font-medium">This change would be refused:</p>
                <ul className="list-disc pl-5">
                  {current.data.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="text-ok">Compiles, and the open-relay self-test passes (an untrusted client without a login cannot relay).</p>
            )}
            {current.data.warnings.map((w) => (
              <p key={w} className="text-warn">
                {w}
              </p>
            ))}
            <DiffView lines={current.data.diff} label="main.cf changes" />
          </>
        ) : null}
      </div>
    </div>
  );
};
