'use client';
import { useActionState } from 'react';
import { changePasswordAction } from '@/server/actions/account';
import type { ActionResult } from '@/server/errors/app-error';
import { Button } from '../ui/button';
import { Field } from '../ui/field';

export const ChangePasswordForm = () => {
  const [state, action, pending] = useActionState<ActionResult<null> | null, FormData>(changePasswordAction, null);
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  return (
    <form action={action} className="max-w-md space-y-4" noValidate aria-label="change password">
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={errors.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required help="At least 10 characters, with a digit or symbol (or 16+ characters)." errors={errors.newPassword} />
      <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required errors={errors.confirm} />
      {state ? (
        <p role="status" className={`rounded-md p-2 text-sm ${state.ok ? 'bg-green-50 text-ok' : 'bg-red-50 text-bad'}`}>
          {state.ok ? state.message : state.message}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Change password'}
      </Button>
    </form>
  );
};
