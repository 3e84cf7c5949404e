export const Card = ({ title, children, className = '' }: { title?: string; children: React.ReactNode; className?: string }) => (
  <section className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${className}`} aria-label={title}>
    {title ? <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-600">{title}</h2> : null}
    {children}
  </section>
);

export const Badge = ({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'neutral'; children: React.ReactNode }) => {
  const cls = { ok: 'bg-green-100 text-green-900', warn: 'bg-amber-100 text-amber-900', bad: 'bg-red-100 text-red-900', neutral: 'bg-slate-100 text-slate-800' }[tone];
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${cls}`}>{children}</span>;
};
