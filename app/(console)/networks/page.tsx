import type { Metadata } from 'next';
import { ActionForm, Input } from '@/components/forms/action-form';
import { Card } from '@/components/ui/card';
import { createNetworkAction, deleteNetworkAction } from '@/server/actions/networks';
import { requireRole } from '@/server/auth/require-role';
import { getNetworksPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Trusted networks' };

export default async function NetworksPage() {
  await requireRole('ADMIN');
  const n = await getNetworksPage();
  return (
    <>
      <h1 className="text-2xl font-semibold">Trusted networks</h1>
      <p className="text-sm text-slate-700">
        Clients in these networks may relay without logging in (<code>mynetworks</code>). Adding one replaces what <code>mynetworks_style = {n.style}</code> implies. A network of /15 or wider (IPv6: /31) must be confirmed; wider than /8 (IPv6: /16) is refused — it would make an open relay.
      </p>
      <Card title="Add a network">
        <ActionForm action={createNetworkAction} submit="Trust network">
          <Input label="Network (CIDR)" name="cidr" placeholder="192.0.2.0/24 or 2001:db8::/32" required />
          <Input label="Note" name="note" />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="confirmWide" /> I understand: every client in a network of /15 or wider (IPv6: /31) may relay without logging in
          </label>
        </ActionForm>
      </Card>
      <Card title={`In effect now (${n.source})`}>
        <ul className="flex flex-wrap gap-2 font-mono text-sm" aria-label="effective mynetworks">
          {n.effective.map((e) => (
            <li key={e} className="rounded bg-slate-100 px-2 py-0.5">
              {e}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Configured networks">
        <ul className="divide-y text-sm">
          {n.networks.map((net) => (
            <li key={net.id} className="flex items-center justify-between py-2">
              <span>
                <span className="font-mono">{net.cidr}</span> <span className="text-slate-600">{net.note}</span>
              </span>
              <ActionForm action={deleteNetworkAction} submit="Remove" variant="danger" confirm={`Stop trusting ${net.cidr}?`}>
                <input type="hidden" name="id" value={net.id} />
              </ActionForm>
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
