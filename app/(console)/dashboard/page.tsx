import type { Metadata } from 'next';
import { Badge, Card } from '@/components/ui/card';
import { requireRole } from '@/server/auth/require-role';
import { getDashboard, getHourlyTraffic } from '@/server/queries/dashboard';
import { TrafficChart } from '@/components/dashboard/traffic-chart';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  await requireRole('OPERATOR');
  const [d, hourly] = await Promise.all([getDashboard(), getHourlyTraffic()]);
  const stats = [
    ['Accepted', d.today.accepted],
    ['Rejected', d.today.rejected],
    ['Delivered', d.today.delivered],
    ['Deferred', d.today.deferred],
    ['Bounced', d.today.bounced],
    ['Failed logins', d.today.authFailed],
  ] as const;
  return (
    <>
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <Card title="Today">
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
          {stats.map(([label, n]) => (
            <div key={label}>
              <dt className="text-xs text-slate-600">{label}</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-stat={label.toLowerCase()}>
                {n}
              </dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="Last 24 hours">
        <TrafficChart buckets={hourly} />
      </Card>
      <Card title="Engine nodes">
        <p className="mb-2 text-sm text-slate-700">
          Latest policy revision: <strong>{d.latest?.id ?? 0}</strong>
          {d.latest ? ` — ${d.latest.summary} (${d.latest.actor})` : ''}
        </p>
        {d.nodes.length === 0 ? (
          <p className="text-sm text-slate-600">No engine has reported yet.</p>
        ) : (
          <ul className="space-y-3">
            {d.nodes.map((n) => (
              <li key={n.id} className="rounded border border-slate-200 p-3 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <strong>{n.id}</strong>
                  <Badge tone={n.alive ? 'ok' : 'bad'}>{n.alive ? 'up' : 'no heartbeat'}</Badge>
                  <Badge tone={n.live ? 'ok' : 'warn'}>{n.live ? `live (revision ${n.appliedRevision})` : `revision ${n.appliedRevision} of ${d.latest?.id}`}</Badge>
                  <span className="text-slate-600">last seen {n.heartbeatAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</span>
                </div>
                <p className="mt-1 text-slate-700">TLS: {n.tls || 'unknown'}</p>
                {n.tls.startsWith('self-signed') ? (
                  <p className="mt-1 rounded bg-amber-50 p-2 text-warn">
                    This node uses a self-signed certificate it generated itself. Clients that check certificates will refuse it: set <code>smtpd_tls_cert_file</code> and{' '}
                    <code>smtpd_tls_key_file</code> under <a href="/settings" className="underline">SMTP settings</a>.
                  </p>
                ) : null}
                <ul className="mt-1 flex flex-wrap gap-2">
                  {n.listeners.map((l) => (
                    <li key={`${l.service}-${l.address}-${l.port}`}>
                      <Badge tone={l.up ? 'ok' : 'bad'}>
                        {l.service} {l.address.includes(':') ? `[${l.address}]` : l.address}:{l.port} {l.up ? 'up' : 'down'}
                      </Badge>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Recent problems">
        {d.problems.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing deferred, bounced or failed recently.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {d.problems.map((p) => (
              <li key={p.id} className="py-1">
                <span className="font-mono text-xs text-slate-500">{p.at.toISOString().slice(0, 19)}</span> {p.event} {p.queueId} {p.recipient} — {p.text}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
