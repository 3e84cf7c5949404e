/** The "why" of a logged decision: the restrictions consulted, in order, and what each found. */
export const DecisionTrace = ({ trace, className = 'pl-5 text-slate-700' }: { trace: string | null; className?: string }) => {
  if (!trace) return null;
  const steps = JSON.parse(trace) as { list?: string; restriction?: string; fact: string }[];
  return (
    <details>
      <summary className="cursor-pointer text-brand-700">why</summary>
      <ol className={`list-decimal ${className}`}>
        {steps.map((t, i) => (
          <li key={i}>
            {t.list ? `${t.list}: ` : ''}
            {t.restriction ? `${t.restriction} → ` : ''}
            {t.fact}
          </li>
        ))}
      </ol>
    </details>
  );
};
