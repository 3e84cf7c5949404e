import type { Metadata } from 'next';
import Link from 'next/link';
import { UntrustedText } from '@/components/logs/untrusted-text';
import { DecisionTrace } from '@/components/logs/decision-trace';
import { LiveTail } from '@/components/logs/live-tail';
import { Card } from '@/components/ui/card';
import { FilterInput, filterQuery } from '@/components/ui/filter-fields';
import { requireRole } from '@/server/auth/require-role';
import { findDeliveryEvents, logFilterSchema } from '@/server/queries/logs';

export const metadata: Metadata = { title: 'Delivery log' };

const FIELDS = [
  ['q', 'Text'],
  ['recipient', 'Recipient'],
  ['sender', 'Sender'],
  ['client', 'Client IP'],
  ['queueId', 'Queue ID'],
  ['lookupId', 'Lookup ID'],
  ['saslUser', 'SASL user'],
  ['event', 'Event'],
  ['status', 'Status'],
  ['from', 'From (time)'],
  ['to', 'To (time)'],
] as const;

export default async function LogsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  await requireRole('OPERATOR');
  const raw = await searchParams;
  const parsed = logFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : logFilterSchema.parse({});
  const events = await findDeliveryEvents(filter);
  const qs = filterQuery(raw);
  return (
    <>
      <h1 className="text-2xl font-semibold">Delivery log</h1>
      <Card title="Search">
        <form className="grid grid-cols-2 gap-2 sm:grid-cols-4" role="search">
          {FIELDS.map(([name, label]) => (
            <FilterInput key={name} label={label} name={name} defaultValue={raw[name]} />
          ))}
          <div className="flex items-end gap-2">
            <button className="rounded-md bg-brand-600 px-3 py-2 text-sm text-white">Search</button>
            <a className="text-sm underline" href={`/api/logs/export?${qs}`}>
              CSV
            </a>
          </div>
        </form>
        {!parsed.success ? <p className="mt-2 text-sm text-bad">Some filters were invalid and were ignored.</p> : null}
      </Card>
      <Card title="Live tail">
        <LiveTail />
      </Card>
      <Card title={`Events (newest first, ${events.length} shown)`}>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs [&_td]:pr-3 [&_th]:pr-3" aria-label="delivery events">
            <thead>
              <tr className="border-b text-slate-600">
                <th className="py-1">Time (UTC)</th>
                <th>Event</th>
                <th>Queue ID</th>
                <th>Client</th>
                <th>HELO</th>
                <th>From</th>
                <th>To</th>
                <th>Reply</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} className="border-b align-top" data-event={e.event}>
                  <td className="whitespace-nowrap py-1 font-mono">{e.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
                  <td>{e.event}</td>
                  <td className="font-mono">
                    {e.queueId || e.lookupId ? (
                      <Link href={`/logs/${e.queueId || e.lookupId}`} className="text-brand-700 underline">
                        {e.queueId || e.lookupId}
                      </Link>
                    ) : null}
                  </td>
                  <td className="font-mono">{e.clientAddress}</td>
                  <td>
                    <UntrustedText value={e.helo} max={60} />
                  </td>
                  <td>
                    <UntrustedText value={e.sender} max={80} />
                  </td>
                  <td>
                    <UntrustedText value={e.recipient} max={80} />
                  </td>
                  <td>
                    {e.code ? `${e.code} ${e.enhanced} ` : ''}
                    <UntrustedText value={e.text} max={300} />
                    <DecisionTrace trace={e.trace} className="pl-4" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {events.length === 100 ? (
          <Link className="mt-2 inline-block text-sm underline" href={`/logs?${qs}${qs ? '&' : ''}before=${events.at(-1)!.id}`}>
            Older →
          </Link>
        ) : null}
      </Card>
    </>
  );
}
