'use client';
import { useId, type InputHTMLAttributes } from 'react';

/**
 * A labelled input with its help text and errors wired for screen readers. Its id is unique
 * on the page (two forms may both ask for the current password).
 */
export const Field = ({ label, name, help, errors, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; help?: string; errors?: string[] }) => {
  const id = `${name}-${useId().replace(/[^\w-]/g, '')}`;
  const describedBy = [help ? `${id}-help` : '', errors?.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm aria-[invalid=true]:border-bad"
        {...props}
      />
      {help ? (
        <p id={`${id}-help`} className="text-xs text-slate-600">
          {help}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-bad">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  );
};
