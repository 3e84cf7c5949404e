import type { HourBucket } from '@/server/queries/dashboard';

const SERIES = [
  { key: 'accepted', label: 'Accepted', color: '#1d4ed8' },
  { key: 'delivered', label: 'Delivered', color: '#15803d' },
  { key: 'rejected', label: 'Rejected', color: '#b91c1c' },
  { key: 'deferred', label: 'Deferred', color: '#b45309' },
  { key: 'bounced', label: 'Bounced', color: '#6b21a8' },
] as const;

/** Traffic and rejections per hour over the last 24 hours: grouped bars, with the numbers as a table for screen readers. */
export const TrafficChart = ({ buckets }: { buckets: HourBucket[] }) => {
  const max = Math.max(1, ...buckets.flatMap((b) => SERIES.map((s) => b[s.key])));
  const W = 720;
  const H = 160;
  const slot = W / buckets.length;
  const bar = Math.max(1, (slot - 4) / SERIES.length);
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H + 18}`} className="h-auto w-full" role="img" aria-label="Messages per hour, last 24 hours">
        {buckets.map((b, i) =>
          SERIES.map((s, k) => {
            const h = (b[s.key] / max) * H;
            return <rect key={`${b.hour}-${s.key}`} x={i * slot + 2 + k * bar} y={H - h} width={bar} height={h} fill={s.color} />;
          }),
        )}
        {buckets.map((b, i) =>
          i % 3 === 0 ? (
            <text key={b.hour} x={i * slot + 2} y={H + 14} fontSize="10" fill="#475569">
              {b.hour.slice(11, 13)}:00
            </text>
          ) : null,
        )}
        <line x1="0" y1={H} x2={W} y2={H} stroke="#cbd5e1" />
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-3 text-xs text-slate-700">
        {SERIES.map((s) => (
          <span key={s.key} className="flex items-center gap-1">
            <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: s.color }} /> {s.label}
          </span>
        ))}
        <span className="text-slate-500">peak {max} per hour (UTC)</span>
      </figcaption>
      <table className="sr-only">
        <caption>Messages per hour, last 24 hours (UTC)</caption>
        <thead>
          <tr>
            <th>Hour</th>
            {SERIES.map((s) => (
              <th key={s.key}>{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets.map((b) => (
            <tr key={b.hour}>
              <td>{b.hour.slice(11, 13)}:00</td>
              {SERIES.map((s) => (
                <td key={s.key}>{b[s.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
};
