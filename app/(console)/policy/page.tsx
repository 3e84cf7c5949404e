import type { Metadata } from 'next';
import { ActionForm, Input } from '@/components/forms/action-form';
import { Card } from '@/components/ui/card';
import { KeptText } from '@/components/forms/kept-text';
import { MAIN_CF_LIMIT } from '@/server/schemas/limits';
import { checkMessageAction, checkPolicyAction, importMainCfAction, rollbackPolicyAction } from '@/server/actions/policy';
import { ParameterEditor } from '@/components/policy/parameter-editor';
import { DiffView } from '@/components/policy/diff-view';
import { requireRole } from '@/server/auth/require-role';
import { getPolicyPage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Policy' };

export default async function PolicyPage({ searchParams }: { searchParams: Promise<{ revBefore?: string; revActor?: string; revQ?: string }> }) {
  const actor = await requireRole('OPERATOR');
  const sp = await searchParams;
  const revBefore = Number(sp.revBefore);
  const revFilter = { before: Number.isInteger(revBefore) && revBefore > 0 ? revBefore : undefined, actor: sp.revActor?.slice(0, 320), q: sp.revQ?.slice(0, 200) };
  const p = await getPolicyPage(revFilter);
  const admin = actor.role === 'ADMIN';
  return (
    <>
      <h1 className="text-2xl font-semibold">Policy</h1>
      <Card title="Policy tester">
        <p className="mb-2 text-sm text-slate-700">The same decision the engine makes at RCPT TO, with every fact that led to it (as <code>postern check</code> prints it).</p>
        <ActionForm action={checkPolicyAction} submit="Check">
          <Input label="Client IP" name="client" defaultValue="203.0.113.9" required />
          <Input label="HELO" name="helo" defaultValue="client.example" />
          <Input label="SASL user (optional)" name="saslUser" />
          <Input label="Sender" name="from" defaultValue="someone@example.org" />
          <Input label="Recipient" name="rcpt" required />
        </ActionForm>
      </Card>
      <Card title="Message checks">
        <p className="mb-2 text-sm text-slate-700">
          A pasted message through the checks on arrival (SPF, DKIM, DMARC, ARC) and <code>smtpd_end_of_data_restrictions</code>, as the engine runs them for a client that is
          neither authenticated nor trusted: the decision, its trace, and the <code>Authentication-Results</code> it would add (as <code>postern check --message FILE</code>
          prints them). DNS is asked live.
        </p>
        <ActionForm action={checkMessageAction} submit="Check the message" className="flex flex-col gap-3">
          <div className="flex flex-wrap gap-3">
            <Input label="Client IP" name="client" defaultValue="203.0.113.9" required />
            <Input label="HELO" name="helo" defaultValue="client.example" />
            <Input label="MAIL FROM" name="from" defaultValue="someone@example.org" />
          </div>
          <KeptText name="message" label="Message (header fields, a blank line, the body)" maxChars={500_000} />
        </ActionForm>
      </Card>
      {admin ? (
        <Card title="Set a parameter">
          <ParameterEditor parameters={p.parameters} />
        </Card>
      ) : null}
      <Card title="Live main.cf">
        <pre className="overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100">{p.mainCf}</pre>
      </Card>
      {admin ? (
        <Card title="Import a Postfix main.cf">
          <ActionForm action={importMainCfAction} submit="Import" className="flex flex-col gap-3" confirm="Replace the settings, domains and networks with this main.cf?">
            <KeptText name="text" label="Paste main.cf" maxChars={MAIN_CF_LIMIT} fileName="file" maxBytes={MAIN_CF_LIMIT} />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="dryRun" defaultChecked /> Dry run (report only)
            </label>
          </ActionForm>
        </Card>
      ) : null}
      <Card title="Parameters">
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {p.parameters.map((x) => (
            <div key={x.name} className="contents">
              <dt className="font-mono">
                {x.name}
                {x.value !== undefined ? <span className="text-brand-700"> = {x.value}</span> : null}
              </dt>
              <dd className="text-slate-600">{x.doc}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Revision history">
        <p className="mb-2 text-sm text-slate-700">
          Each revision with what it changed in main.cf. Rolling back restores the settings, domains, trusted networks and access tables of that revision as a new
          revision (users and aliases are left as they are); it is compiled and relay-tested like any change.
        </p>
        <form className="mb-2 flex flex-wrap items-end gap-2 text-sm" role="search" aria-label="revisions">
          <label className="flex flex-col">
            <span className="mb-1 font-medium">By</span>
            <input name="revActor" defaultValue={sp.revActor ?? ''} className="rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="flex flex-col">
            <span className="mb-1 font-medium">Summary contains</span>
            <input name="revQ" defaultValue={sp.revQ ?? ''} className="rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <button className="rounded-md bg-brand-600 px-3 py-2 text-white">Filter</button>
        </form>
        <ul className="divide-y text-sm">
          {p.revisions.map((r) => (
            <li key={r.id} className="py-2" data-revision={r.id}>
              <div className="flex flex-wrap items-center gap-2">
                <strong>#{r.id}</strong> {r.summary}
                <span className="text-slate-600">
                  — {r.actor}, {r.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC
                </span>
                {r.id === p.live ? <span className="text-xs font-medium text-ok">live</span> : null}
                {admin && r.id !== p.live && r.restorable ? (
                  <ActionForm action={rollbackPolicyAction} submit={`Roll back to #${r.id}`} variant="secondary" confirm={`Restore the policy of revision ${r.id}?`} className="ml-auto flex items-center gap-2">
                    <input type="hidden" name="revision" value={r.id} />
                  </ActionForm>
                ) : null}
              </div>
              <details className="mt-1">
                <summary className="cursor-pointer text-brand-700">changes to main.cf</summary>
                <DiffView lines={r.diff} label={`changes in revision ${r.id}`} />
              </details>
            </li>
          ))}
        </ul>
        {p.more ? (
          <a className="mt-2 inline-block text-sm underline" href={`/policy?${new URLSearchParams({ ...(sp.revActor ? { revActor: sp.revActor } : {}), ...(sp.revQ ? { revQ: sp.revQ } : {}), revBefore: String(p.more) }).toString()}`}>
            Older revisions
          </a>
        ) : null}
      </Card>
    </>
  );
}
