import type { Metadata } from 'next';
import Link from 'next/link';
import { UntrustedText } from '@/components/logs/untrusted-text';
import { Card } from '@/components/ui/card';
import { requireRole } from '@/server/auth/require-role';
import { findSecurityEvents, securityFilterSchema } from '@/server/queries/security';
import { SECURITY_KINDS } from '@/server/services/auth/security-events';

export const metadata: Metadata = { title: 'Security events' };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requireRole('ADMIN');
  const raw = await searchParams;
  const parsed = securityFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : securityFilterSchema.parse({});
  const events = await findSecurityEvents(filter);
  const qs = new URLSearchParams(Object.entries(raw).filter(([k, v]) => k !== 'before' && v)).toString();
  const input = 'rounded-md border border-slate-300 px-2 py-1.5';
  return (
    <>
      <h1 className="text-2xl font-semibold">Security events</h1>
      <Card title="Filter">
        <form className="grid grid-cols-2 gap-2 sm:grid-cols-5" role="search">
          <label className="flex flex-col text-sm">
            <span className="mb-1 font-medium">Kind</span>
            <select name="kind" defaultValue={filter.kind} className={input}>
              <option value="">All</option>
              {SECURITY_KINDS.map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col text-sm">
            <span className="mb-1 font-medium">Account</span>
            <input name="account" defaultValue={filter.account} className={input} />
          </label>
          <label className="flex flex-col text-sm">
            <span className="mb-1 font-medium">Client address</span>
            <input name="client" defaultValue={filter.client} className={input} />
          </label>
          <label className="flex flex-col text-sm">
            <span className="mb-1 font-medium">Where</span>
            <select name="door" defaultValue={filter.door} className={input}>
              <option value="">Console and SMTP</option>
              <option value="console">Console</option>
              <option value="smtp">SMTP AUTH</option>
            </select>
          </label>
          <label className="flex flex-col text-sm">
            <span className="mb-1 font-medium">Since (UTC)</span>
            <input name="from" type="datetime-local" defaultValue={filter.from} className={input} />
          </label>
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
