'use client';
import { useActionState } from 'react';
import type { ActionResult } from '@/server/errors/app-error';
import { Badge } from '../ui/card';
import { Button } from '../ui/button';
import { UntrustedText } from '../logs/untrusted-text';

type Action = (prev: ActionResult<null> | null, form: FormData) => Promise<ActionResult<null>>;

export type QueueItem = {
  id: string;
  held: boolean;
  sender: string;
  size: number;
  receivedAt: string;
  recipients: { id: number | string; address: string; state: string; attempts: number; lastError: string | null }[];
};

/**
 * The queue with its per-message actions. One result region for the whole list: holding a
 * message swaps its buttons and deleting it removes its row, so a per-row region would
 * vanish together with the answer the admin is waiting for.
 */
export const QueueList = ({ items, action, canManage }: { items: QueueItem[]; action: Action; canManage: boolean }) => {
  const [state, formAction, pending] = useActionState<ActionResult<null> | null, FormData>(action, null);
  return (
    <>
      <div role="status" aria-live="polite" className="mb-2 text-sm">
        {state?.ok && state.message ? <p className="text-ok">{state.message}</p> : null}
        {state && !state.ok ? <p className="text-bad">{state.message}</p> : null}
      </div>
      <ul className="divide-y text-sm">
        {items.map((m) => (
          <li key={m.id} className="space-y-1 py-2">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-mono">{m.id}</span>
              {m.held ? <Badge tone="warn">on hold</Badge> : null}
              <span>from {m.sender ? <UntrustedText value={m.sender} max={80} /> : 'MAILER-DAEMON'}</span>
              <span className="text-slate-600">
                {m.size} bytes, {m.receivedAt}
              </span>
            </div>
            {m.recipients.map((r) => (
              <p key={r.id} className="pl-4">
                → <UntrustedText value={r.address} max={80} />{' '}
                <span className="text-slate-600">
                  ({r.state.toLowerCase()}, {r.attempts} attempts{r.lastError ? ': ' : ''}<UntrustedText value={r.lastError} max={200} />)
                </span>
              </p>
            ))}
            {canManage ? (
              <form
                action={formAction}
                className="flex gap-2 pl-4"
                onSubmit={(e) => {
                  const op = ((e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value;
                  if (op === 'delete' && !window.confirm(`Delete ${m.id} without delivering it?`)) e.preventDefault();
                }}
              >
                <input type="hidden" name="id" value={m.id} />
                {(m.held ? ['release', 'delete'] : ['retry', 'hold', 'delete']).map((op) => (
                  <Button key={op} type="submit" name="op" value={op} variant={op === 'delete' ? 'danger' : 'secondary'} disabled={pending}>
                    {op}
                  </Button>
                ))}
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
};
