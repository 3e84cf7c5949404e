// The closed set of things the engine logs. Each becomes a DeliveryEvent row (the console's
// log) and, through postfix-format.ts, a Postfix-style line in data/log/mail.log.
// Passwords, AUTH payloads and message bodies are never part of an event.
import type { TraceStep } from '../policy/types';

export type EventName =
  | 'smtp.connect'
  | 'smtp.disconnect'
  | 'smtp.rejected'
  | 'smtp.lost_connection'
  | 'smtp.too_many_errors'
  | 'auth.succeeded'
  | 'auth.failed'
  | 'auth.throttled'
  | 'auth.slowed'
  | 'message.accepted'
  | 'delivery.sent'
  | 'delivery.deferred'
  | 'delivery.bounced'
  | 'delivery.expired'
  | 'message.removed'
  | 'bounce.created'
  | 'policy.applied'
  | 'policy.reload_failed'
  | 'listener.failed';

export type EngineEvent = {
  event: EventName;
  at?: Date;
  /** accepted | rejected | deferred | sent | bounced | expired | failed | info */
  status?: string;
  queueId?: string;
  lookupId?: string;
  clientAddress?: string;
  clientName?: string;
  helo?: string;
  saslUser?: string;
  saslMethod?: string;
  sender?: string;
  recipient?: string;
  /** The SMTP command a rejection answered: CONNECT, HELO, MAIL, RCPT, DATA, AUTH. */
  command?: string;
  code?: number;
  enhanced?: string;
  text?: string;
  trace?: TraceStep[];
  /** Extra fields for the Postfix line (relay=, delay=, size=, nrcpt=, counts …). */
  detail?: Record<string, string | number>;
};
