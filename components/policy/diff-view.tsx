import type { DiffLine } from '@/server/services/policy/diff-lines';

const MARK: Record<DiffLine['kind'], string> = { add: '+', remove: '-', same: ' ' };

/** main.cf lines as a unified diff: removed in red with "-", added in green with "+". */
export const DiffView = ({ lines, label }: { lines: DiffLine[]; label: string }) =>
  lines.length === 0 ? (
    <p className="text-sm text-slate-600">No change to main.cf.</p>
  ) : (
    <pre aria-label={label} className="overflow-x-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs leading-5">
      {lines.map((l, i) => (
        <div key={i} className={l.kind === 'add' ? 'bg-green-100 text-green-900' : l.kind === 'remove' ? 'bg-red-100 text-red-900' : 'text-slate-600'}>
          {`${MARK[l.kind]} ${l.text}`}
        </div>
      ))}
    </pre>
  );
