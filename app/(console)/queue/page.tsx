import type { Metadata } from 'next';
import { ActionForm } from '@/components/forms/action-form';
import { Badge, Card } from '@/components/ui/card';
import { queueAction } from '@/server/actions/admin';
import { requireRole } from '@/server/auth/require-role';
import { getQueuePage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Queue' };

export default async function QueuePage() {
  const actor = await requireRole('OPERATOR');
  const { messages: msgs } = await getQueuePage(actor);
  const admin = actor.role === 'ADMIN';
  return (
    <>
      <h1 className="text-2xl font-semibold">Queue</h1>
      {admin ? (
        <ActionForm action={queueAction} submit="Retry all now" variant="secondary">
          <input type="hidden" name="op" value="flush" />
        </ActionForm>
      ) : null}
      <Card title={msgs.length ? `${msgs.length} message(s) waiting` : 'The queue is empty'}>
        <ul className="divide-y text-sm">
          {msgs.map((m) => (
            <li key={m.id} className="space-y-1 py-2">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono">{m.id}</span>
                {m.state === 'HOLD' ? <Badge tone="warn">on hold</Badge> : null}
                <span>from {m.sender || 'MAILER-DAEMON'}</span>
                <span className="text-slate-600">{m.size} bytes, {m.receivedAt.toISOString().slice(0, 19)}</span>
              </div>
              {m.recipients.map((r) => (
                <p key={r.id} className="pl-4">
                  → {r.address} <span className="text-slate-600">({r.state.toLowerCase()}, {r.attempts} attempts{r.lastError ? `: ${r.lastError}` : ''})</span>
                </p>
              ))}
              {admin ? (
                <div className="flex gap-2 pl-4">
                  {(m.state === 'HOLD' ? ['release', 'delete'] : ['retry', 'hold', 'delete']).map((op) => (
                    <ActionForm key={op} action={queueAction} submit={op} variant={op === 'delete' ? 'danger' : 'secondary'} confirm={op === 'delete' ? `Delete ${m.id} without delivering it?` : undefined}>
                      <input type="hidden" name="op" value={op} />
                      <input type="hidden" name="id" value={m.id} />
                    </ActionForm>
                  ))}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
