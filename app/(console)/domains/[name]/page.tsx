import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DomainActions } from '@/components/domains/domain-actions';
import { ActionForm, Input, Select } from '@/components/forms/action-form';
import { Badge, Card } from '@/components/ui/card';
import { updateDomainAction } from '@/server/actions/domains';
import { requireRole } from '@/server/auth/require-role';
import { getDomainDetail } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Domain' };

export default async function DomainPage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requireRole('ADMIN');
  const { name } = await params;
  const d = await getDomainDetail(actor, decodeURIComponent(name));
  if (!d) notFound();
  const { domain, dns } = d;
  return (
    <>
      <p className="text-sm">
        <Link href="/domains" className="underline">
          ← Domains
        </Link>
      </p>
      <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold">
        {domain.name}
        <Badge tone={domain.active ? 'ok' : 'neutral'}>{domain.active ? 'active' : 'disabled'}</Badge>
        <Badge tone="neutral">{domain.kind === 'LOCAL' ? 'local (mydestination)' : 'relay (relay_domains)'}</Badge>
      </h1>
      <Card title="Edit">
        <ActionForm action={updateDomainAction} submit="Save">
          <input type="hidden" name="id" value={domain.id} />
          <Select label="Kind" name="kind" defaultValue={domain.kind} options={[['LOCAL', 'Local (mydestination)'], ['RELAY', 'Relay (relay_domains)']]} />
          <Input label="Description" name="description" defaultValue={domain.description} />
        </ActionForm>
        <DomainActions domain={domain} className="mt-3 flex flex-wrap gap-2" />
      </Card>
      <Card title="DNS records to publish">
        <p className="mb-2 text-sm text-slate-700">
          A zone-file snippet for <code>{domain.name}</code>, with this server as <code>{dns.mailHost}</code> (its <code>myhostname</code>). Fill in the addresses and copy it
          into your DNS.
        </p>
        <pre className="overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100" aria-label="zone file snippet">
          {dns.records}
        </pre>
      </Card>
      <Card title="What DNS says now">
        <table className="w-full text-left text-sm" aria-label="DNS check">
          <thead>
            <tr className="border-b text-slate-600">
              <th className="py-1">Record</th>
              <th>Result</th>
              <th>Expected</th>
              <th>Found</th>
            </tr>
          </thead>
          <tbody>
            {dns.checks.map((c) => (
              <tr key={c.record} className="border-b align-top" data-check={c.record}>
                <td className="py-1 font-medium">{c.record}</td>
                <td>
                  <Badge tone={c.status === 'pass' ? 'ok' : c.status === 'fail' ? 'bad' : 'warn'}>{c.status}</Badge>
                </td>
                <td className="text-slate-700">{c.expected}</td>
                <td className="font-mono text-xs">{c.found}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-2 text-xs text-slate-600">Checked when this page loaded; reload to check again.</p>
      </Card>
    </>
  );
}
