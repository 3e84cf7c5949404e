import type { Metadata } from 'next';
import Link from 'next/link';
import { DomainActions } from '@/components/domains/domain-actions';
import { ActionForm, Input, Select } from '@/components/forms/action-form';
import { Badge, Card } from '@/components/ui/card';
import { createDomainAction } from '@/server/actions/domains';
import { requireRole } from '@/server/auth/require-role';
import { getDomainsPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Domains' };

export default async function DomainsPage() {
  await requireRole('ADMIN');
  const domains = await getDomainsPage();
  return (
    <>
      <h1 className="text-2xl font-semibold">Domains</h1>
      <Card title="Add a domain">
        <ActionForm action={createDomainAction} submit="Add domain">
          <Input label="Domain name" name="name" placeholder="example.com" required />
          <Select label="Kind" name="kind" options={[['LOCAL', 'Local (mydestination)'], ['RELAY', 'Relay (relay_domains)']]} />
          <Input label="Description" name="description" />
        </ActionForm>
      </Card>
      <Card title={`Configured domains (${domains.length})`}>
        <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b text-slate-600">
              <th className="py-2">Domain</th>
              <th>Kind</th>
              <th>State</th>
              <th>DNS</th>
              <th className="sr-only">Actions</th>
            </tr>
          </thead>
          <tbody>
            {domains.map((d) => (
              <tr key={d.id} className="border-b align-top">
                <td className="py-2 font-medium">
                  <Link href={`/domains/${encodeURIComponent(d.name)}`} className="text-brand-700 underline">
                    {d.name}
                  </Link>
                  {d.description ? <div className="text-xs font-normal text-slate-600">{d.description}</div> : null}
                </td>
                <td>{d.kind === 'LOCAL' ? 'local (mydestination)' : 'relay (relay_domains)'}</td>
                <td>
                  <Badge tone={d.active ? 'ok' : 'neutral'}>{d.active ? 'active' : 'disabled'}</Badge>
                </td>
                <td>
                  <Link href={`/domains/${encodeURIComponent(d.name)}`} className="text-sm underline">
                    records and live check
                  </Link>
                </td>
                <td>
                  <DomainActions domain={d} className="space-y-1" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </Card>
    </>
  );
}
