import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { UntrustedText, escapeInvisible } from '@/components/logs/untrusted-text';
import { requireRole } from '@/server/auth/require-role';
import { getAuditPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  await requireRole('ADMIN');
  const entries = await getAuditPage();
  return (
    <>
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <Card title="Who changed what">
        <ul className="divide-y text-sm">
          {entries.map((e) => (
            <li key={e.id} className="py-1">
              <span className="font-mono text-xs text-slate-500">{e.at.toISOString().slice(0, 19)}</span> <strong>{e.actor}</strong> {e.action} <UntrustedText value={e.entityId} max={120} />
              {e.before || e.after ? (
                <details>
                  <summary className="cursor-pointer text-brand-700">before / after</summary>
                  <pre className="whitespace-pre-wrap text-xs">{`before: ${escapeInvisible(e.before) || '—'}\nafter:  ${escapeInvisible(e.after) || '—'}`}</pre>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
