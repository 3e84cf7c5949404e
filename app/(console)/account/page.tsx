import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { Card } from '@/components/ui/card';
import { requireRole } from '@/server/auth/require-role';
import { getOwnActivity, getOwnSecurity } from '@/server/queries/account';
import { SecondFactors } from '@/components/account/second-factors';
import { AppPasswords } from '@/components/account/app-passwords';

export const metadata: Metadata = { title: 'My account' };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ denied?: string; enrol?: string }> }) {
  const actor = await requireRole('USER', { enrolment: true });
  const { denied, enrol } = await searchParams;
  const [activity, security] = await Promise.all([getOwnActivity(actor.address), getOwnSecurity(actor.address)]);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return (
    <>
      <h1 className="text-2xl font-semibold">My account</h1>
      {denied ? (
        <p role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-warn">
          That page is for administrators.
        </p>
      ) : null}
      <Card title="Two-factor sign-in">
        <SecondFactors
          required={actor.mustEnrol || !!enrol}
          codesLeft={security.codesLeft}
          factors={security.factors.map((f) => ({ ...f, createdAt: f.createdAt.toISOString(), lastUsedAt: iso(f.lastUsedAt) }))}
        />
      </Card>
      <Card title="App passwords (SMTP AUTH)">
        <AppPasswords
          secondFactor={security.factors.length > 0}
          rows={security.appPasswords.map((a) => ({ ...a, createdAt: a.createdAt.toISOString(), lastUsedAt: iso(a.lastUsedAt) }))}
        />
      </Card>
      <Card title="Change password">
        <ChangePasswordForm />
      </Card>
      <Card title="Recent mail activity">
        {activity.length === 0 ? (
          <p className="text-sm text-slate-600">No mail activity yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {activity.map((a) => (
              <li key={a.id} className="py-1">
                <span className="font-mono text-xs text-slate-500">{a.at.toISOString().slice(0, 19)}</span> {a.event} {a.sender ? `from ${a.sender}` : ''} {a.recipient ? `to ${a.recipient}` : ''} {a.text}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
