// RFC 3464 delivery status notifications. Pure: builds the message; the queue enqueues it
// with the null sender, and never sends one for a message that had the null sender.
export type FailedRecipient = { address: string; original: string; dsn: string; text: string; action: 'failed' };

export const buildBounce = (o: {
  myhostname: string;
  queueId: string;
  sender: string;
  arrivalDate: Date;
  failed: FailedRecipient[];
  originalHeaders: string;
  now?: Date;
}): Buffer => {
  const now = o.now ?? new Date();
  const boundary = `${o.queueId}.${now.getTime()}/${o.myhostname}`;
  const human = o.failed.map((f) => `<${f.address}>: ${f.text}`).join('\r\n');
  const perRcpt = o.failed
    .map((f) =>
      [
        `Final-Recipient: rfc822; ${f.address}`,
        ...(f.original !== f.address ? [`Original-Recipient: rfc822; ${f.original}`] : []),
        `Action: ${f.action}`,
        `Status: ${f.dsn}`,
        `Diagnostic-Code: smtp; ${f.text}`,
      ].join('\r\n'),
    )
    .join('\r\n\r\n');
  const text = [
    `From: MAILER-DAEMON@${o.myhostname} (Mail Delivery System)`,
    `To: ${o.sender}`,
    `Subject: Undelivered Mail Returned to Sender`,
    `Date: ${now.toUTCString()}`,
    `Message-ID: <${o.queueId}.bounce.${now.getTime()}@${o.myhostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `This is the mail system at host ${o.myhostname}.`,
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    human,
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${o.myhostname}`,
    `X-Postfix-Queue-ID: ${o.queueId}`,
    `X-Postfix-Sender: rfc822; ${o.sender}`,
    `Arrival-Date: ${o.arrivalDate.toUTCString()}`,
    '',
    perRcpt,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    o.originalHeaders.replace(/\r?\n/g, '\r\n').trimEnd(),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return Buffer.from(text);
};
