// The fields of a GET filter form (the log, security and audit pages): a label over an input
// or a select, and the query string of a page without its paging cursor.
const FIELD = 'rounded-md border border-slate-300 px-2 py-1.5';

export const FilterInput = ({ label, name, defaultValue, type }: { label: string; name: string; defaultValue?: string; type?: string }) => (
  <label className="flex flex-col text-sm">
    <span className="mb-1 font-medium">{label}</span>
    <input name={name} type={type} defaultValue={defaultValue ?? ''} className={FIELD} />
  </label>
);

export const FilterSelect = ({ label, name, defaultValue, options }: { label: string; name: string; defaultValue?: string; options: readonly (readonly [string, string])[] }) => (
  <label className="flex flex-col text-sm">
    <span className="mb-1 font-medium">{label}</span>
    <select name={name} defaultValue={defaultValue ?? ''} className={FIELD}>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  </label>
);

/** The page's filters as a query string, without the `before` cursor (for "older" links and exports). */
export const filterQuery = (raw: Record<string, string>) => new URLSearchParams(Object.entries(raw).filter(([k, v]) => k !== 'before' && v)).toString();
