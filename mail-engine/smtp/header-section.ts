// The header section of a message as it arrived in chunks: the first chunks, up to the one
// where the header ends (64 KB at most), without the blank line. Read once per message at
// end of DATA, for the From domain (DKIM signing) and the Message-ID (the log).
export const headerSection = (chunks: Buffer[]) => {
  const start: Buffer[] = [];
  for (let n = 0, i = 0; i < chunks.length && n < 65_536; n += chunks[i]!.length, i++) {
    start.push(chunks[i]!);
    if (chunks[i]!.includes('\r\n\r\n')) break;
  }
  const head = start.length === 1 ? start[0]! : Buffer.concat(start);
  const end = head.indexOf('\r\n\r\n');
  return head.subarray(0, end < 0 ? Math.min(head.length, 65_536) : end).toString('utf8');
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** A header date as Postfix's mail_date() writes it (in UTC): "Wed,  2 Dec 2026 20:15:00 +0000 (UTC)". */
export const mailDate = (d: Date) =>
  `${DAYS[d.getUTCDay()]}, ${String(d.getUTCDate()).padStart(2, ' ')} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000 (UTC)`;

/**
 * What cleanup adds to a message that lacks them, for a client in local_header_rewrite_clients
 * (Postfix's cleanup_message.c): Message-Id: <YYYYMMDDHHMMSS.QUEUEID@myhostname>, and Date:.
 * Returns the header lines to put on top and the Message-Id the log names ('' for none: the
 * log then says message-id=<>, never an id the message does not carry).
 */
export const missingHeaders = (headers: string, o: { rewrite: boolean; queueId: string; myhostname: string; now: Date }) => {
  const present = /^message-id:[ \t]*<?([^>\r\n]*)>?/im.exec(headers)?.[1];
  if (present !== undefined) return { lines: o.rewrite && !/^date:/im.test(headers) ? `Date: ${mailDate(o.now)}\r\n` : '', messageId: present.trim() };
  if (!o.rewrite) return { lines: '', messageId: '' };
  const d = o.now;
  const id = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.${o.queueId}@${o.myhostname}`;
  return { lines: `Message-Id: <${id}>\r\n${/^date:/im.test(headers) ? '' : `Date: ${mailDate(d)}\r\n`}`, messageId: id };
};
