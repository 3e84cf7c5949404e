import type { Metadata } from 'next';
import { SettingsForm } from '@/components/settings/settings-form';
import { Card } from '@/components/ui/card';
import { requireRole } from '@/server/auth/require-role';
import { getSettingsPage } from '@/server/queries/settings';

export const metadata: Metadata = { title: 'SMTP settings' };

export default async function SettingsPage() {
  await requireRole('ADMIN');
  const s = await getSettingsPage();
  return (
    <>
      <h1 className="text-2xl font-semibold">SMTP settings</h1>
      <p className="text-sm text-slate-700">
        Each field is the Postfix parameter of the same name (postconf(5)). Leave a field empty to use its default. Changes are compiled and checked for an open relay
        before they are saved, and every engine applies them within a second — no reload. Live policy revision: <strong>{s.revision}</strong>.
      </p>
      <Card>
        <SettingsForm groups={s.groups} />
      </Card>
    </>
  );
}
