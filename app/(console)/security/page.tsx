import type { Metadata } from 'next';
import Link from 'next/link';
import { UntrustedText } from '@/components/logs/untrusted-text';
import { Card } from '@/components/ui/card';
import { FilterInput, FilterSelect, filterQuery } from '@/components/ui/filter-fields';
import { requireRole } from '@/server/auth/require-role';
import { findSecurityEvents, securityFilterSchema } from '@/server/queries/security';
import { SECURITY_KINDS } from '@/server/services/auth/security-events';

export const metadata: Metadata = { title: 'Security events' };

const DOORS = [
  ['', 'Console and SMTP'],
  ['console', 'Console'],
  ['smtp', 'SMTP AUTH'],
] as const;

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requireRole('ADMIN');
  const raw = await searchParams;
  const parsed = securityFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : securityFilterSchema.parse({});
  const events = await findSecurityEvents(filter);
  const qs = filterQuery(raw);
  return (
    <>
      <h1 className="text-2xl font-semibold">Security events</h1>
      <Card title="Filter">
        <form className="grid grid-cols-2 gap-2 sm:grid-cols-5" role="search">
          <FilterSelect label="Kind" name="kind" defaultValue={filter.kind} options={[['', 'All'], ...SECURITY_KINDS]} />
          <FilterInput label="Account" name="account" defaultValue={filter.account} />
          <FilterInput label="Client address" name="client" defaultValue={filter.client} />
          <FilterSelect label="Where" name="door" defaultValue={filter.door} options={DOORS} />
          <FilterInput label="Since (UTC)" name="from" type="datetime-local" defaultValue={filter.from} />
          <div className="flex items-end">
            <button className="rounded-md bg-brand-600 px-3 py-2 text-sm text-white">Filter</button>
          </div>
        </form>
        {!parsed.success ? <p className="mt-2 text-sm text-bad">Some filters were invalid and were ignored.</p> : null}
      </Card>
      <Card title={`Events (newest first, ${events.length} shown)`}>
        {events.length === 0 ? (
          <p className="text-sm text-slate-600">No security events match.</p>
        ) : (
          <table className="w-full text-left text-xs [&_td]:pr-3 [&_th]:pr-3" aria-label="security events">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Event</th>
                <th>Where</th>
                <th>Account</th>
                <th>Client</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} className="border-b align-top" data-event={e.event}>
                  <td className="font-mono">{e.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
                  <td>{e.event}</td>
                  <td>{e.nodeId === 'console' ? 'console' : `smtp (${e.nodeId})`}</td>
                  <td>
                    <UntrustedText value={e.saslUser} max={60} />
                  </td>
                  <td className="font-mono">
                    <UntrustedText value={e.clientAddress} max={45} />
                  </td>
                  <td>
                    <UntrustedText value={e.text} max={160} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {events.length === 100 ? (
          <Link className="mt-2 inline-block text-sm underline" href={`/security?${qs}${qs ? '&' : ''}before=${events.at(-1)!.id}`}>
            Older events
          </Link>
        ) : null}
      </Card>
    </>
  );
}
