import type { ActionResult } from '@/server/errors/app-error';

/** The outcome of an account action, announced to screen readers. */
export const Status = ({ state }: { state: ActionResult<unknown> | null }) =>
  state ? (
    <p role={state.ok ? 'status' : 'alert'} className={`rounded-md p-2 text-sm ${state.ok ? 'bg-green-50 text-ok' : 'bg-red-50 text-bad'}`}>
      {state.message}
    </p>
  ) : null;

/** Codes shown once, to be written down. */
export const OneTimeList = ({ title, items }: { title: string; items: string[] }) => (
  <div className="rounded-md border border-amber-300 bg-amber-50 p-3" role="region" aria-label={title}>
    <p className="text-sm font-medium">{title}</p>
    <ul className="mt-1 grid grid-cols-2 gap-1 font-mono text-sm" data-testid="one-time">
      {items.map((c) => (
        <li key={c}>{c}</li>
      ))}
    </ul>
    <p className="mt-1 text-xs text-slate-600">Copy these now: they are not shown again.</p>
  </div>
);
