'use client';
import { useActionState } from 'react';
import type { ActionResult } from '@/server/errors/app-error';
import { Button } from '../ui/button';

type Action = (prev: ActionResult<null> | null, form: FormData) => Promise<ActionResult<null>>;

/**
 * A form bound to a server action: shows the result (or the field errors) in a live region,
 * optionally asks for confirmation first. Inputs are passed as children.
 */
export const ActionForm = ({
  action,
  submit,
  children,
  confirm,
  variant = 'primary',
  className = 'flex flex-wrap items-end gap-3',
}: {
  action: Action;
  submit: string;
  children?: React.ReactNode;
  confirm?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  className?: string;
}) => {
  const [state, formAction, pending] = useActionState<ActionResult<null> | null, FormData>(action, null);
  const fieldErrors = state && !state.ok ? Object.entries(state.fieldErrors ?? {}) : [];
  return (
    <form
      action={formAction}
      className={className}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
    >
      {children}
      <Button type="submit" variant={variant} disabled={pending}>
        {pending ? '…' : submit}
      </Button>
      <div role="status" aria-live="polite" className="basis-full text-sm">
        {state?.ok && state.message ? <p className="text-ok">{state.message}</p> : null}
        {state && !state.ok ? (
          <div className="whitespace-pre-wrap text-bad">
            {fieldErrors.length ? fieldErrors.map(([k, v]) => <p key={k}>{`${k}: ${v.join(' ')}`}</p>) : <p>{state.message}</p>}
          </div>
        ) : null}
      </div>
    </form>
  );
};

export const Input = (props: React.InputHTMLAttributes<HTMLInputElement> & { label: string; name: string }) => {
  const { label, ...rest } = props;
  return (
    <label className="flex flex-col text-sm">
      <span className="mb-1 font-medium text-slate-800">{label}</span>
      <input className="rounded-md border border-slate-300 px-2 py-1.5" {...rest} />
    </label>
  );
};

export const Select = ({ label, name, options, defaultValue }: { label: string; name: string; options: [string, string][]; defaultValue?: string }) => (
  <label className="flex flex-col text-sm">
    <span className="mb-1 font-medium text-slate-800">{label}</span>
    <select name={name} defaultValue={defaultValue} className="rounded-md border border-slate-300 px-2 py-1.5">
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  </label>
);
