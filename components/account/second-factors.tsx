'use client';
import { useActionState, useState } from 'react';
import { startRegistration } from '@simplewebauthn/browser';
import { confirmTotpAction, recoveryCodesAction, registerWebauthnAction, removeFactorAction, startTotpAction, webauthnOptionsAction } from '@/server/actions/security';
import type { ActionResult } from '@/server/errors/app-error';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { OneTimeList, Status } from './status';

export type FactorRow = { id: number; kind: 'TOTP' | 'WEBAUTHN'; label: string; createdAt: string; lastUsedAt: string | null };
type Enrolment = { id: number; secret: string; uri: string; qrSvg: string };
type Added = ActionResult<{ recoveryCodes: string[] | null }> | null;

const Remove = ({ row }: { row: FactorRow }) => {
  const [state, action, pending] = useActionState<ActionResult<null> | null, FormData>(removeFactorAction, null);
  const [open, setOpen] = useState(false);
  if (!open) return <Button variant="secondary" onClick={() => setOpen(true)} aria-label={`Remove ${row.label}`}>Remove</Button>;
  return (
    <form action={action} className="flex items-end gap-2" aria-label={`remove ${row.label}`}>
      <input type="hidden" name="id" value={row.id} />
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" />
      <Button variant="danger" type="submit" disabled={pending}>
        Remove
      </Button>
      <Status state={state} />
    </form>
  );
};

/** Authenticator app: a QR code (and the secret as text), then a first code and the password. */
const TotpSetup = ({ enrolled }: { enrolled: boolean }) => {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState('');
  const [state, action, pending] = useActionState<Added, FormData>(confirmTotpAction, null);
  // Stays mounted after success (the page re-renders with the new factor) to show the codes once.
  if (state?.ok) return <div className="basis-full space-y-2">{state.data.recoveryCodes ? <OneTimeList title="Recovery codes" items={state.data.recoveryCodes} /> : null}<Status state={state} /></div>;
  if (enrolled) return null;
  if (!enrolment) {
    return (
      <div>
        <Button
          variant="secondary"
          onClick={async () => {
            const r = await startTotpAction(null, new FormData());
            if (r.ok) setEnrolment(r.data as Enrolment);
            else setError(r.message);
          }}
        >
          Set up an authenticator app
        </Button>
        {error ? <p role="alert" className="text-sm text-bad">{error}</p> : null}
      </div>
    );
  }
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  return (
    <form action={action} className="max-w-md space-y-3" aria-label="authenticator app set-up">
      <input type="hidden" name="id" value={enrolment.id} />
      <p className="text-sm">Scan this with your authenticator app, or type the key by hand:</p>
      <div className="h-48 w-48" dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }} />
      <p className="font-mono text-sm break-all" data-testid="totp-secret">{enrolment.secret}</p>
      <Field label="The 6-digit code the app shows" name="code" inputMode="numeric" autoComplete="one-time-code" errors={errors.code} />
      <Field label="Your current password" name="currentPassword" type="password" autoComplete="current-password" errors={errors.currentPassword} />
      <Status state={state} />
      <Button type="submit" disabled={pending}>{pending ? 'Checking…' : 'Turn on'}</Button>
    </form>
  );
};

/** A security key or passkey: the browser's WebAuthn ceremony, then the password. */
const KeySetup = () => {
  const [state, action, pending] = useActionState<Added, FormData>(registerWebauthnAction, null);
  const [response, setResponse] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState('');
  if (state?.ok) return <div className="basis-full space-y-2">{state.data.recoveryCodes ? <OneTimeList title="Recovery codes" items={state.data.recoveryCodes} /> : null}<Status state={state} /></div>;
  const ask = async () => {
    setError('');
    const options = await webauthnOptionsAction(null, new FormData());
    if (!options.ok) return setError(options.message);
    try {
      setResponse(JSON.stringify(await startRegistration({ optionsJSON: options.data as Parameters<typeof startRegistration>[0]['optionsJSON'] })));
    } catch (e) {
      setError(`The browser did not make a key: ${(e as Error).message}`);
    }
  };
  if (!response) {
    return (
      <div>
        <Button variant="secondary" onClick={() => void ask()}>Add a security key or passkey</Button>
        {error ? <p role="alert" className="text-sm text-bad">{error}</p> : null}
      </div>
    );
  }
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  return (
    <form action={action} className="max-w-md space-y-3" aria-label="security key set-up">
      <input type="hidden" name="response" value={response} />
      <Field label="Name of the key" name="label" placeholder="YubiKey" maxLength={60} value={label} onChange={(e) => setLabel(e.target.value)} />
      <Field label="Your current password" name="currentPassword" type="password" autoComplete="current-password" errors={errors.currentPassword} />
      <Status state={state} />
      <Button type="submit" disabled={pending}>{pending ? 'Saving…' : 'Save the key'}</Button>
    </form>
  );
};

const NewCodes = () => {
  const [state, action, pending] = useActionState<ActionResult<string[]> | null, FormData>(recoveryCodesAction, null);
  return (
    <form action={action} className="flex max-w-md items-end gap-2" aria-label="new recovery codes">
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" />
      <Button variant="secondary" type="submit" disabled={pending}>New recovery codes</Button>
      {state?.ok ? <OneTimeList title="Recovery codes" items={state.data} /> : <Status state={state} />}
    </form>
  );
};

export const SecondFactors = ({ factors, codesLeft, required }: { factors: FactorRow[]; codesLeft: number; required: boolean }) => (
  <div className="space-y-3">
    {required && !factors.length ? (
      <p role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-warn">
        Your role must sign in with a second factor. Set one up to reach the rest of the console.
      </p>
    ) : null}
    {factors.length ? (
      <ul className="divide-y text-sm" aria-label="second factors">
        {factors.map((f) => (
          <li key={f.id} className="flex items-center justify-between gap-2 py-2">
            <span>
              {f.kind === 'TOTP' ? 'Authenticator app' : `Security key: ${f.label}`}
              <span className="ml-2 text-xs text-slate-500">added {f.createdAt.slice(0, 10)}{f.lastUsedAt ? `, last used ${f.lastUsedAt.slice(0, 16).replace('T', ' ')}` : ''}</span>
            </span>
            <Remove row={f} />
          </li>
        ))}
      </ul>
    ) : (
      <p className="text-sm text-slate-700">No second factor yet: your password alone signs you in.</p>
    )}
    {factors.length ? <p className="text-sm">{codesLeft} unused recovery code(s).</p> : null}
    <div className="flex flex-wrap gap-3">
      <TotpSetup enrolled={factors.some((f) => f.kind === 'TOTP')} />
      <KeySetup />
    </div>
    {factors.length ? <NewCodes /> : null}
  </div>
);
