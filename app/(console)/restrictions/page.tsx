import type { Metadata } from 'next';
import { ActionForm, Input } from '@/components/forms/action-form';
import { RestrictionsEditor } from '@/components/restrictions/restrictions-editor';
import { Card } from '@/components/ui/card';
import { deleteAccessEntryAction, setAccessEntryAction } from '@/server/actions/access';
import { requireRole } from '@/server/auth/require-role';
import { getRestrictionsPage } from '@/server/queries/settings';

export const metadata: Metadata = { title: 'Restrictions' };

export default async function RestrictionsPage() {
  await requireRole('ADMIN');
  const r = await getRestrictionsPage();
  const tables = [...new Set(r.accessEntries.map((e) => e.table))];
  return (
    <>
      <h1 className="text-2xl font-semibold">Restrictions</h1>
      <p className="text-sm text-slate-700">
        Postfix evaluates each list in order; the first restriction that permits or rejects decides the list, and an exhausted list permits. With{' '}
        <code>smtpd_delay_reject = yes</code> the client, HELO and sender lists run at RCPT TO. Relaying always needs a default-deny entry
        (<code>reject_unauth_destination</code>): a draft without one is refused.
      </p>
      <Card>
        <RestrictionsEditor lists={r.lists} supported={r.supported} />
      </Card>
      <Card title="Access tables">
        <p className="mb-2 text-sm text-slate-700">
          The tables <code>check_client_access</code>, <code>check_helo_access</code>, <code>check_sender_access</code> and <code>check_recipient_access</code> name. Keys are
          addresses, domains (with their subdomains per <code>parent_domain_matches_subdomains</code>), IP addresses or networks; actions follow access(5): <code>OK</code>,{' '}
          <code>REJECT text</code>, <code>DEFER text</code>, <code>DUNNO</code>, or a 4xx/5xx code with text.
        </p>
        <ActionForm action={setAccessEntryAction} submit="Add or change entry">
          <Input label="Table" name="table" placeholder="blocked_senders" list="access-tables" required />
          <Input label="Key" name="key" placeholder="spammer@example.com" required />
          <Input label="Action" name="action" placeholder="REJECT no thanks" required />
        </ActionForm>
        <datalist id="access-tables">
          {tables.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        {r.accessEntries.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">No entries yet.</p>
        ) : (
          <table className="mt-3 w-full text-left text-sm">
            <thead>
              <tr className="border-b text-slate-600">
                <th className="py-1">Table</th>
                <th>Key</th>
                <th>Action</th>
                <th className="sr-only">Remove</th>
              </tr>
            </thead>
            <tbody>
              {r.accessEntries.map((e) => (
                <tr key={e.id} className="border-b">
                  <td className="py-1 font-mono">{e.table}</td>
                  <td className="font-mono">{e.key}</td>
                  <td className="font-mono">{e.action}</td>
                  <td className="text-right">
                    <ActionForm action={deleteAccessEntryAction} submit="Remove" variant="danger" confirm={`Remove ${e.key} from ${e.table}?`}>
                      <input type="hidden" name="id" value={e.id} />
                    </ActionForm>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
