import type { InputHTMLAttributes } from 'react';

/** A labelled input with its help text and errors wired for screen readers. */
export const Field = ({ label, name, help, errors, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; help?: string; errors?: string[] }) => {
  const describedBy = [help ? `${name}-help` : '', errors?.length ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={name}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm aria-[invalid=true]:border-bad"
        {...props}
      />
      {help ? (
        <p id={`${name}-help`} className="text-xs text-slate-600">
          {help}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${name}-error`} role="alert" className="text-xs text-bad">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
};
