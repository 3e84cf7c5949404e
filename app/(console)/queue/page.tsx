import type { Metadata } from 'next';
import { ActionForm } from '@/components/forms/action-form';
import { QueueList } from '@/components/queue/queue-list';
import { Card } from '@/components/ui/card';
import { queueAction } from '@/server/actions/queue';
import { requireRole } from '@/server/auth/require-role';
import { getQueuePage } from '@/server/queries/admin';

export const metadata: Metadata = { title: 'Queue' };

export default async function QueuePage() {
  const actor = await requireRole('OPERATOR');
  const { messages: msgs, total } = await getQueuePage(actor);
  const admin = actor.role === 'ADMIN';
  return (
    <>
      <h1 className="text-2xl font-semibold">Queue</h1>
      {admin ? (
        <ActionForm action={queueAction} submit="Retry all now" variant="secondary">
          <input type="hidden" name="op" value="flush" />
        </ActionForm>
      ) : null}
      <Card title={msgs.length ? `${total > msgs.length ? `${msgs.length} of ${total}` : msgs.length} message(s) waiting` : 'The queue is empty'}>
        <QueueList
          action={queueAction}
          canManage={admin}
          items={msgs.map((m) => ({
            id: m.id,
            held: m.state === 'HOLD',
            sender: m.sender,
            size: m.size,
            receivedAt: m.receivedAt.toISOString().slice(0, 19).replace('T', ' '),
            recipients: m.recipients.map((r) => ({ id: r.id, address: r.address, state: r.state, attempts: r.attempts, lastError: r.lastError })),
          }))}
        />
      </Card>
    </>
  );
}
