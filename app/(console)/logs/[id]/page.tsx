import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DecisionTrace } from '@/components/logs/decision-trace';
import { UntrustedText } from '@/components/logs/untrusted-text';
import { Badge, Card } from '@/components/ui/card';
import { requireRole } from '@/server/auth/require-role';
import { getMessageStory } from '@/server/queries/logs';

export const metadata: Metadata = { title: 'Message' };

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'neutral'> = { sent: 'ok', accepted: 'ok', deferred: 'warn', rejected: 'bad', bounced: 'bad', expired: 'bad' };

/** One message's whole story (by queue id), or a rejected attempt's (by the lookup id its reply carried). */
export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  await requireRole('OPERATOR');
  const { id } = await params;
  const story = await getMessageStory(decodeURIComponent(id));
  if (!story) notFound();
  const received = story.events.find((e) => e.event === 'message.accepted');
  const finals = story.events.filter((e) => ['delivery.sent', 'delivery.bounced', 'delivery.expired'].includes(e.event));
  return (
    <>
      <p className="text-sm">
        <Link href="/logs" className="underline">
          ← Delivery log
        </Link>
      </p>
      <h1 className="text-2xl font-semibold">
        <span className="font-mono">{story.id}</span>
      </h1>
      <Card title="Summary">
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {received ? (
            <>
              <dt className="text-slate-600">Received</dt>
              <dd>
                {received.at.toISOString().replace('T', ' ').slice(0, 19)} UTC from {received.clientName}[{received.clientAddress}]{received.saslUser ? `, logged in as ${received.saslUser}` : ''}
              </dd>
              <dt className="text-slate-600">Sender</dt>
              <dd>{received.sender || '<> (null sender)'}</dd>
            </>
          ) : (
            <>
              <dt className="text-slate-600">Received</dt>
              <dd>not accepted — see the refusal below</dd>
            </>
          )}
          <dt className="text-slate-600">Status</dt>
          <dd>
            {story.queued ? (
              <Badge tone="warn">in the queue ({story.queued.state.toLowerCase()})</Badge>
            ) : finals.length ? (
              <span className="flex flex-wrap gap-1">
                {finals.map((f) => (
                  <Badge key={f.id} tone={TONE[f.status] ?? 'neutral'}>
                    {f.recipient}: {f.status}
                  </Badge>
                ))}
              </span>
            ) : (
              <Badge tone="neutral">no delivery recorded</Badge>
            )}
          </dd>
        </dl>
      </Card>
      {story.queued ? (
        <Card title="Still queued">
          <ul className="text-sm">
            {story.queued.recipients.map((r) => (
              <li key={r.id}>
                {r.address} — {r.state.toLowerCase()}, {r.attempts} attempt(s), next {r.nextAttemptAt.toISOString().replace('T', ' ').slice(0, 19)} UTC{r.lastError ? `: ${r.lastError}` : ''}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <Card title="Timeline">
        <ol className="space-y-2 text-sm" aria-label="timeline">
          {story.events.map((e) => (
            <li key={e.id} className="border-l-2 border-slate-200 pl-3" data-event={e.event}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono text-xs text-slate-500">{e.at.toISOString().replace('T', ' ').slice(0, 23)}</span>
                <strong>{e.event}</strong>
                {e.status ? <Badge tone={TONE[e.status] ?? 'neutral'}>{e.status}</Badge> : null}
                {e.recipient ? (
                  <span>
                    to <UntrustedText value={e.recipient} />
                  </span>
                ) : null}
              </div>
              {e.code || e.text ? (
                <p className="text-slate-700">
                  {e.code ? `${e.code} ${e.enhanced} ` : ''}
                  <UntrustedText value={e.text} max={1000} />
                </p>
              ) : null}
              <DecisionTrace trace={e.trace} />
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
