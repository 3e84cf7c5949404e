'use client';
import { useActionState, useState } from 'react';
import { createAppPasswordAction, revokeAppPasswordAction } from '@/server/actions/security';
import type { ActionResult } from '@/server/errors/app-error';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { OneTimeList, Status } from './status';

export type AppPasswordRow = { id: number; label: string; createdAt: string; lastUsedAt: string | null; lastUsedAddress: string };

const Revoke = ({ row }: { row: AppPasswordRow }) => {
  const [state, action, pending] = useActionState<ActionResult<null> | null, FormData>(revokeAppPasswordAction, null);
  return (
    <form action={action} className="inline">
      <input type="hidden" name="id" value={row.id} />
      <Button variant="secondary" type="submit" disabled={pending} aria-label={`Revoke ${row.label}`}>
        Revoke
      </Button>
      {state && !state.ok ? <Status state={state} /> : null}
    </form>
  );
};

/** App passwords for mail programs (SMTP AUTH): the only passwords SMTP accepts once a second factor is on. */
export const AppPasswords = ({ rows, secondFactor }: { rows: AppPasswordRow[]; secondFactor: boolean }) => {
  const [state, action, pending] = useActionState<ActionResult<{ label: string; password: string }> | null, FormData>(createAppPasswordAction, null);
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  const [label, setLabel] = useState(''); // kept when the server refuses the form
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        {secondFactor
          ? 'Your account has a second factor, so mail programs sign in (SMTP AUTH) with an app password only, never with your main password.'
          : 'Mail programs may sign in with an app password instead of your main password; each can be revoked on its own.'}
      </p>
      {rows.length ? (
        <table className="w-full text-left text-sm" aria-label="app passwords">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-t">
                <td>{r.label}</td>
                <td className="font-mono text-xs">{r.createdAt.slice(0, 16).replace('T', ' ')}</td>
                <td className="font-mono text-xs">{r.lastUsedAt ? `${r.lastUsedAt.slice(0, 16).replace('T', ' ')} from ${r.lastUsedAddress}` : 'never'}</td>
                <td>
                  <Revoke row={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form action={action} className="max-w-md space-y-3" noValidate aria-label="new app password">
        <Field label="Name of the new app password" name="label" placeholder="Phone mail app" maxLength={60} value={label} onChange={(e) => setLabel(e.target.value)} errors={errors.label} />
        <Field label="Your current password" name="currentPassword" type="password" autoComplete="current-password" errors={errors.currentPassword} />
        <Status state={state} />
        {state?.ok ? <OneTimeList title={`App password for ${state.data.label}`} items={[state.data.password]} /> : null}
        <Button type="submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create app password'}
        </Button>
      </form>
    </div>
  );
};
