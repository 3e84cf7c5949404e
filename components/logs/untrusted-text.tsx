// Text that came from an SMTP client (HELO names, addresses, reply texts): control and
// bidirectional-override characters are shown escaped (\u202e), so a value cannot reorder
// or hide what is around it, and a long value is cut to `max` characters with the whole of
// it (escaped) in the title.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export const escapeInvisible = (s: string) => s.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const UntrustedText = ({ value, max = 120 }: { value: string | null | undefined; max?: number }) => {
  if (!value) return null;
  const shown = escapeInvisible(value);
  if (shown.length <= max) return <span className="break-all">{shown}</span>;
  return (
    <span className="break-all" title={shown}>
      {shown.slice(0, max)}… <span className="text-xs text-slate-500">({shown.length} characters)</span>
    </span>
  );
};
