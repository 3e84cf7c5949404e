// Security events of the console: failed, throttled and slowed logins, failed second factors,
// forbidden actions, ended sessions, second factors and app passwords added or removed.
// Each is a DeliveryEvent row (node "console"; admins filter them on the Security page, and
// the throttle counts the auth.* ones across console and engines) and a syslog-style line in
// <data>/log/console.log, which fail2ban reads with contrib/fail2ban/filter.d/postern-console.conf:
//   Dec  2 15:44:36 mx postern-console[123]: warning: console login failed for a@b.example from 127.0.0.5: wrong password
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { syslogStamp } from '../../../mail-engine/log/postfix-format';
import type { Db } from '../../../prisma/client';

export const CONSOLE_NODE = 'console';

/** What happened (`text`, e.g. "console login failed"), to which account, from where, and why. */
export type SecurityEvent = { kind: SecurityEventKind; account: string; client: string; text: string; reason?: string };

export type SecurityEventKind =
  | 'auth.failed'
  | 'auth.throttled'
  | 'auth.slowed'
  | 'auth.succeeded'
  | 'security.forbidden'
  | 'security.session_ended'
  | 'security.second_factor_added'
  | 'security.second_factor_removed'
  | 'security.recovery_codes'
  | 'security.app_password_created'
  | 'security.app_password_revoked';

/** The kinds the Security page offers as filters, with their labels. */
export const SECURITY_KINDS: [SecurityEventKind, string][] = [
  ['auth.failed', 'Failed logins'],
  ['auth.throttled', 'Refused (throttled) logins'],
  ['auth.slowed', 'Slowed logins'],
  ['auth.succeeded', 'Successful logins'],
  ['security.forbidden', 'Forbidden actions'],
  ['security.session_ended', 'Sessions ended'],
  ['security.second_factor_added', 'Second factors added'],
  ['security.second_factor_removed', 'Second factors removed'],
  ['security.recovery_codes', 'Recovery codes'],
  ['security.app_password_created', 'App passwords created'],
  ['security.app_password_revoked', 'App passwords revoked'],
];

const WARNINGS = new Set<SecurityEventKind>(['auth.failed', 'auth.throttled', 'auth.slowed', 'security.forbidden']);

/** No control or bidi character reaches a log line; values are bounded. */
const clean = (s: string) => s.replace(/[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]/g, '?').slice(0, 300);

const logFile = () => path.join(process.env.POSTERN_DATA_DIR ?? 'data', 'log', 'console.log');
let dirMade: Promise<unknown> | undefined;

/** The fail2ban-readable line. A failure to write is reported on stderr, never thrown. */
export const consoleLogLine = async (e: SecurityEvent) => {
  const level = WARNINGS.has(e.kind) ? 'warning: ' : '';
  const why = e.reason ? `: ${clean(e.reason)}` : '';
  const line = `${syslogStamp(new Date())} ${hostname()} postern-console[${process.pid}]: ${level}${clean(e.text)} for ${clean(e.account).replace(/\s/g, '?') || 'unknown'} from ${clean(e.client) || 'unknown'}${why}\n`;
  try {
    const file = logFile();
    await (dirMade ??= mkdir(path.dirname(file), { recursive: true, mode: 0o700 }));
    await appendFile(file, line, { mode: 0o600 });
  } catch (e) {
    process.stderr.write(`postern: cannot write the console log: ${(e as Error).message}\n`);
  }
};



const STATUS: Partial<Record<SecurityEventKind, string>> = { 'auth.failed': 'rejected', 'auth.throttled': 'rejected', 'security.forbidden': 'rejected' };

/** Records one event (row and line). The database may be busy: the caller is answered anyway. */
export const securityEvent = async (db: Db, e: SecurityEvent) => {
  await Promise.all([
    db.deliveryEvent
      .create({ data: { event: e.kind, status: STATUS[e.kind] ?? 'info', nodeId: CONSOLE_NODE, clientAddress: e.client.slice(0, 100), saslUser: e.account.slice(0, 320), text: (e.reason ? `${e.text}: ${e.reason}` : e.text).slice(0, 500) } })
      .catch(() => undefined),
    consoleLogLine(e),
  ]);
};
