'use client';
import { useActionState, useRef, useState } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { loginAction, type LoginState } from '@/server/actions/auth';
import { Button } from '../ui/button';
import { Field } from '../ui/field';

const Alert = ({ text }: { text?: string }) =>
  text ? (
    <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-bad">
      {text}
    </p>
  ) : null;

/** Step two: a code from the authenticator app (or a recovery code), or a security key. */
const SecondStep = ({ state, action, pending, next }: { state: LoginState; action: (f: FormData) => void; pending: boolean; next: string }) => {
  const prompt = state.secondFactor!;
  const form = useRef<HTMLFormElement>(null);
  const assertion = useRef<HTMLInputElement>(null);
  const [keyError, setKeyError] = useState('');
  const useKey = async () => {
    setKeyError('');
    try {
      const response = await startAuthentication({ optionsJSON: prompt.webauthn! });
      assertion.current!.value = JSON.stringify(response);
      form.current!.requestSubmit();
    } catch (e) {
      setKeyError(`The security key did not answer: ${(e as Error).message}`);
    }
  };
  return (
    <form ref={form} action={action} className="space-y-4" noValidate aria-label="second factor">
      <input type="hidden" name="challenge" value={prompt.challenge} />
      <input type="hidden" name="next" value={next} />
      <input ref={assertion} type="hidden" name="webauthn" defaultValue="" />
      <p className="text-sm text-slate-700">Your account has a second factor.</p>
      {prompt.webauthn ? (
        <Button type="button" className="w-full" onClick={() => void useKey()} disabled={pending}>
          Use a security key or passkey
        </Button>
      ) : null}
      <Field
        label={prompt.totp ? 'Code from your authenticator app, or a recovery code' : 'Recovery code'}
        name="code"
        inputMode={prompt.totp ? 'numeric' : 'text'}
        autoComplete="one-time-code"
        autoFocus={!prompt.webauthn}
      />
      <Alert text={keyError || state.error} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Checking…' : 'Verify'}
      </Button>
      <a href="/login" className="block text-center text-sm underline">
        Start again
      </a>
    </form>
  );
};

export const LoginForm = ({ next = '' }: { next?: string }) => {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, {});
  const [address, setAddress] = useState('');
  if (state.secondFactor) return <SecondStep state={state} action={action} pending={pending} next={next} />;
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <Field label="Address" name="address" type="email" autoComplete="username" required autoFocus value={address} onChange={(e) => setAddress(e.target.value)} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <Alert text={state.error} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
};
