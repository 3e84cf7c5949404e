import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DomainActions } from '@/components/domains/domain-actions';
import { ActionForm, Input, Select } from '@/components/forms/action-form';
import { Badge, Card } from '@/components/ui/card';
import { updateDomainAction } from '@/server/actions/domains';
import { activateDkimAction, generateDkimAction, retireDkimAction, rotateDkimAction } from '@/server/actions/dkim';
import { requireRole } from '@/server/auth/require-role';
import { getDomainDetail } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Domain' };

export default async function DomainPage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requireRole('ADMIN');
  const { name } = await params;
  const d = await getDomainDetail(actor, decodeURIComponent(name));
  if (!d) notFound();
  const { domain, dns, dkim } = d;
  const live = dkim.filter((k) => k.state !== 'RETIRED');
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
      <Card title="DKIM keys">
        <p className="mb-2 text-sm text-slate-700">
          Mail from this domain&apos;s users and trusted networks is signed with every active key. A rotation makes a pending key: publish its record (below), then
          activate it; the key it replaces stays published while it retires. The same from the CLI: <code>postern dkim</code>.
        </p>
        {live.length ? (
          <table className="mb-3 w-full text-left text-sm" aria-label="DKIM keys">
            <thead>
              <tr className="border-b text-slate-600">
                <th className="py-1">Selector</th>
                <th>Algorithm</th>
                <th>State</th>
                <th>Since</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {live.map((k) => (
                <tr key={k.selector} className="border-b align-top" data-selector={k.selector}>
                  <td className="py-1 font-mono">{k.selector}</td>
                  <td>{k.algorithm === 'ED25519' ? 'Ed25519' : 'RSA'}</td>
                  <td>
                    <Badge tone={k.state === 'ACTIVE' ? 'ok' : k.state === 'PENDING' ? 'warn' : 'neutral'}>{k.state.toLowerCase()}</Badge>
                    {k.state === 'RETIRING' && k.retireAfter ? <span className="ml-1 text-xs text-slate-600">keep in DNS until {k.retireAfter.toISOString().slice(0, 10)}</span> : null}
                  </td>
                  <td className="font-mono text-xs">{(k.activatedAt ?? k.createdAt).toISOString().slice(0, 10)}</td>
                  <td>
                    {k.state === 'PENDING' ? (
                      <ActionForm action={activateDkimAction} submit="Activate (checks DNS)" variant="secondary">
                        <input type="hidden" name="domain" value={domain.name} />
                        <input type="hidden" name="selector" value={k.selector} />
                      </ActionForm>
                    ) : null}
                    {k.state === 'RETIRING' ? (
                      <ActionForm action={retireDkimAction} submit="Retire now" variant="secondary" confirm={`Retire ${k.selector}? Mail it signed in the last days may no longer verify.`}>
                        <input type="hidden" name="domain" value={domain.name} />
                        <input type="hidden" name="selector" value={k.selector} />
                      </ActionForm>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mb-3 text-sm text-warn">No DKIM key: mail from {domain.name} goes out unsigned, and DMARC can only rely on SPF.</p>
        )}
        <div className="flex flex-wrap items-end gap-3">
          <ActionForm action={generateDkimAction} submit="Generate a key" variant="secondary">
            <input type="hidden" name="domain" value={domain.name} />
            <Select label="Algorithm" name="algorithm" defaultValue="RSA" options={[['RSA', 'RSA 2048'], ['ED25519', 'Ed25519']]} />
          </ActionForm>
          {live.some((k) => k.state === 'ACTIVE') ? (
            <ActionForm action={rotateDkimAction} submit="Rotate" variant="secondary">
              <input type="hidden" name="domain" value={domain.name} />
            </ActionForm>
          ) : null}
        </div>
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
