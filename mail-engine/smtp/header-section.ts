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
