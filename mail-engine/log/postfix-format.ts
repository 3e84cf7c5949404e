// Engine events → Postfix-format syslog lines, close enough to Postfix's own that
// pflogsumm summarises them and fail2ban's postfix and postfix[mode=auth] filters match:
//   Nov 25 04:33:01 mx postfix/smtpd[123]: NOQUEUE: reject: RCPT from unknown[127.0.0.9]:
//   554 5.7.1 <x@example.org>: Relay access denied; from=<a@b> to=<x@example.org> proto=ESMTP helo=<h>
import type { EngineEvent } from './events';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

export const syslogStamp = (d: Date) =>
  `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;

/** Log values come from clients: no control characters may reach a log line. */
const clean = (s: string | undefined) => (s ?? '').replace(/[\x00-\x1f\x7f]/g, '?');

const client = (e: EngineEvent) => `${clean(e.clientName) || 'unknown'}[${clean(e.clientAddress)}]`;
const reply = (e: EngineEvent) => `${e.code} ${e.enhanced ? `${e.enhanced} ` : ''}${clean(e.text?.split('\n')[0])}`;

/** Returns [service, message] or undefined for events Postfix would not log. */
export const formatPostfix = (e: EngineEvent): [string, string] | undefined => {
  const d = e.detail ?? {};
  switch (e.event) {
    case 'smtp.connect':
      return ['smtpd', `connect from ${client(e)}`];
    case 'smtp.disconnect':
      return ['smtpd', `disconnect from ${client(e)}${d.counts ? ` ${d.counts}` : ''}`];
    case 'smtp.lost_connection':
      return ['smtpd', `lost connection after ${d.after ?? 'CONNECT'} from ${client(e)}`];
    case 'smtp.too_many_errors':
      return ['smtpd', `too many errors after ${d.after ?? 'RCPT'} from ${client(e)}`];
    case 'smtp.rejected': {
      const id = e.queueId || 'NOQUEUE';
      return [
        'smtpd',
        `${id}: reject: ${e.command ?? 'RCPT'} from ${client(e)}: ${reply(e)}; from=<${clean(e.sender)}>${e.recipient !== undefined ? ` to=<${clean(e.recipient)}>` : ''} proto=${d.proto ?? 'ESMTP'} helo=<${clean(e.helo)}>`,
      ];
    }
    case 'auth.failed':
      return ['smtpd', `warning: ${client(e)}: SASL ${clean(e.saslMethod) || 'PLAIN'} authentication failed: authentication failure`];
    case 'auth.throttled':
      return ['smtpd', `warning: ${client(e)}: SASL ${clean(e.saslMethod) || 'PLAIN'} authentication failed: too many failures, throttled`];
    case 'auth.slowed':
      return ['smtpd', `warning: ${client(e)}: SASL ${clean(e.saslMethod) || 'PLAIN'} login ${clean(e.saslUser)} slowed: ${clean(e.text)}`];
    case 'message.accepted':
      // Its "client=" line is written by queuedLines, before cleanup's and qmgr's, in
      // Postfix's order: pflogsumm counts bytes and senders only for messages it saw arrive.
      return undefined;
    case 'delivery.sent':
    case 'delivery.deferred':
    case 'delivery.bounced':
    case 'delivery.expired': {
      const status = e.event === 'delivery.sent' ? 'sent' : e.event === 'delivery.deferred' ? 'deferred' : e.event === 'delivery.expired' ? 'expired' : 'bounced';
      const service = String(d.service ?? 'smtp');
      return [
        service,
        `${e.queueId}: to=<${clean(e.recipient)}>,${d.orig_to ? ` orig_to=<${clean(String(d.orig_to))}>,` : ''} relay=${d.relay ?? 'none'}, delay=${d.delay ?? 0}, delays=${d.delays ?? '0/0/0/0'}, dsn=${e.enhanced ?? '5.0.0'}, status=${status} (${clean(e.text)})`,
      ];
    }
    case 'message.removed':
      return ['qmgr', `${e.queueId}: removed`];
    case 'bounce.created':
      return ['bounce', `${e.queueId}: sender non-delivery notification: ${d.bounceId}`];
    case 'policy.reload_failed':
      return ['smtpd', `warning: policy revision ${d.revision}: ${clean(e.text)}`];
    case 'listener.failed':
      return ['master', `warning: ${clean(e.text)}`];
    default:
      return undefined;
  }
};

/**
 * The lines Postfix writes when a message is queued, in its order: smtpd's "client=" (for
 * mail that arrived over SMTP), cleanup's message-id, qmgr's from/size (pflogsumm counts
 * received bytes and senders from these, only after the client= line of the same queue id).
 */
export const queuedLines = (e: {
  queueId: string;
  sender: string;
  size: number;
  nrcpt: number;
  messageId: string;
  client?: { name: string; address: string; saslUser?: string; saslMethod?: string };
}): [string, string][] => [
  ...(e.client
    ? [['smtpd', `${e.queueId}: client=${clean(e.client.name) || 'unknown'}[${clean(e.client.address)}]${e.client.saslUser ? `, sasl_method=${clean(e.client.saslMethod) || 'PLAIN'}, sasl_username=${clean(e.client.saslUser)}` : ''}`] as [string, string]]
    : []),
  ['cleanup', `${e.queueId}: message-id=<${clean(e.messageId)}>`],
  ['qmgr', `${e.queueId}: from=<${clean(e.sender)}>, size=${e.size}, nrcpt=${e.nrcpt} (queue active)`],
];
