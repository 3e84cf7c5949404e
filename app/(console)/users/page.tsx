import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm, Input, Select } from '@/components/forms/action-form';
import { Badge, Card } from '@/components/ui/card';
import { ROLE_OPTIONS } from '@/components/users/roles';
import { UserRowActions } from '@/components/users/user-row-actions';
import { createAliasAction, deleteAliasAction } from '@/server/actions/aliases';
import { createUserAction } from '@/server/actions/users';
import { requireRole } from '@/server/auth/require-role';
import { getUsersPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Users & aliases' };

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  await requireRole('ADMIN');
  const sp = await searchParams;
  const page = Math.max(1, Number(sp.page ?? 1) || 1);
  const q = (sp.q ?? '').slice(0, 200);
  const d = await getUsersPage(q, page);
  const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
  return (
    <>
      <h1 className="text-2xl font-semibold">Users &amp; aliases</h1>
      <Card title="Create a user">
        <ActionForm action={createUserAction} submit="Create user">
          <Input label="Address" name="address" type="email" required />
          <Input label="Password" name="password" type="password" autoComplete="new-password" required />
          <Select label="Role" name="role" options={ROLE_OPTIONS} />
          <Input label="Quota (MB, 0 = none)" name="quotaMb" type="number" min={0} defaultValue={0} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="hasMailbox" defaultChecked /> Has a mailbox
          </label>
        </ActionForm>
      </Card>
      <Card title={`Users (${d.total})`}>
        <form className="mb-3 flex gap-2" role="search">
          <label className="sr-only" htmlFor="q">
            Search users
          </label>
          <input id="q" name="q" defaultValue={q} placeholder="address starts with…" className="rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
          <button className="rounded-md px-3 py-1.5 text-sm ring-1 ring-slate-300">Search</button>
        </form>
        <div className="overflow-x-auto">
        <table className="w-full text-left text-sm [&_td]:pr-4 [&_th]:pr-4">
          <thead>
            <tr className="border-b text-slate-600">
              <th className="py-2">Address</th>
              <th>Role</th>
              <th>Mailbox</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {d.users.map((u) => (
              <tr key={u.id} className="border-b align-top">
                <td className="py-2 font-medium">{u.address}</td>
                <td>{u.role.toLowerCase()}</td>
                <td>
                  {u.hasMailbox ? <Badge tone="ok">mailbox</Badge> : <Badge tone="neutral">none</Badge>}
                  {u.quotaBytes > 0n ? <span className="ml-1 text-xs text-slate-600">{String(u.quotaBytes / 1048576n)} MB</span> : null}
                </td>
                <td>{u.active ? <Badge tone="ok">active</Badge> : <Badge tone="bad">disabled</Badge>}</td>
                <td>
                  <UserRowActions
                    user={{
                      address: u.address,
                      role: u.role,
                      quotaMb: String(u.quotaBytes / 1048576n),
                      hasMailbox: u.hasMailbox,
                      active: u.active,
                      sessions: u.sessions.count,
                      secondFactors: u.secondFactors,
                      lastSeen: u.sessions.lastSeenAt ? u.sessions.lastSeenAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'never',
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
        <nav aria-label="Pages" className="mt-3 flex gap-3 text-sm">
          {page > 1 ? <Link href={`/users?q=${encodeURIComponent(q)}&page=${page - 1}`}>← Previous</Link> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link href={`/users?q=${encodeURIComponent(q)}&page=${page + 1}`}>Next →</Link> : null}
        </nav>
      </Card>
      <Card title="Aliases">
        <ActionForm action={createAliasAction} submit="Add alias">
          <Input label="Alias address" name="address" type="email" required />
          <Input label="Targets (comma separated)" name="targets" required />
        </ActionForm>
        <ul className="mt-3 divide-y text-sm">
          {d.aliases.map((a) => (
            <li key={a.id} className="flex items-center justify-between py-1">
              <span>
                {a.address} → {a.target}
              </span>
              <ActionForm action={deleteAliasAction} submit="Remove" variant="danger" confirm={`Remove alias ${a.address}?`}>
                <input type="hidden" name="address" value={a.address} />
              </ActionForm>
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
