'use client';
import { useActionState } from 'react';
import { loginAction, type LoginState } from '@/server/actions/auth';
import { Button } from '../ui/button';
import { Field } from '../ui/field';

export const LoginForm = () => {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field label="Address" name="address" type="email" autoComplete="username" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      {state.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-bad">
          {state.error}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
};
