import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { FilterInput, FilterSelect, filterQuery } from '@/components/ui/filter-fields';
import { UntrustedText, escapeInvisible } from '@/components/logs/untrusted-text';
import { requireRole } from '@/server/auth/require-role';
import { getAuditPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Audit log' };

const KINDS: [string, string][] = [
  ['', 'All'],
  ['setting', 'Settings'],
  ['domain', 'Domains'],
  ['network', 'Networks'],
  ['user', 'Users'],
  ['alias', 'Aliases'],
  ['access', 'Access tables'],
  ['policy', 'Imports and rollbacks'],
  ['dkim', 'DKIM keys'],
  ['session', 'Sessions'],
];

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requireRole('ADMIN');
  const raw = await searchParams;
  const before = Number(raw.before);
  const filter = { actor: raw.actor?.slice(0, 320), action: raw.kind?.slice(0, 40), from: raw.from?.slice(0, 30), before: Number.isInteger(before) && before > 0 ? before : undefined };
  const { rows, more } = await getAuditPage(filter);
  const qs = filterQuery(raw);
  return (
    <>
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <Card title="Filter">
        <form className="grid grid-cols-2 gap-2 sm:grid-cols-4" role="search">
          <FilterInput label="Who" name="actor" defaultValue={raw.actor} />
          <FilterSelect label="Kind" name="kind" defaultValue={raw.kind} options={KINDS} />
          <FilterInput label="Since (UTC)" name="from" type="datetime-local" defaultValue={raw.from} />
          <div className="flex items-end">
            <button className="rounded-md bg-brand-600 px-3 py-2 text-sm text-white">Filter</button>
          </div>
        </form>
      </Card>
      <Card title={`Who changed what (newest first, ${rows.length} shown)`}>
        <ul className="divide-y text-sm" aria-label="audit entries">
          {rows.map((e) => (
            <li key={e.id} className="py-1" data-action={e.action}>
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
        {more ? (
          <Link className="mt-2 inline-block text-sm underline" href={`/audit?${qs}${qs ? '&' : ''}before=${more}`}>
            Older entries
          </Link>
        ) : null}
      </Card>
    </>
  );
}
