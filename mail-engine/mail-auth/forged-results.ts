// Authentication-Results fields that claim to come from this host (authserv-id equal to
// $myhostname) but arrived with the message are forged or stale: they are removed before
// ours is added (RFC 8601 §5), so a reader or a filter downstream believes only ours. Pure.

/**
 * The message without such fields; the same Buffer when there are none. `partial`: the
 * message is only the start of a large one (the rest is in its spool file), so without its
 * blank line its header section is not all here, and it is left as it is.
 */
export const stripForgedResults = (message: Buffer, myhostname: string, partial = false): { message: Buffer; removed: number } => {
  const end = message.indexOf('\r\n\r\n');
  if (partial && end < 0) return { message, removed: 0 };
  const headEnd = end < 0 ? message.length : end + 2;
  const head = message.subarray(0, headEnd).toString('latin1');
  const host = myhostname.toLowerCase();
  // Fields with their continuation lines.
  const fields = head.match(/[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/g) ?? [];
  let removed = 0;
  const kept = fields.filter((f) => {
    const m = /^authentication-results:\s*([^\s;]+)/i.exec(f);
    if (m && m[1]!.toLowerCase() === host) {
      removed++;
      return false;
    }
    return true;
  });
  if (!removed) return { message, removed };
  return { message: Buffer.concat([Buffer.from(kept.join(''), 'latin1'), message.subarray(headEnd)]), removed };
};
