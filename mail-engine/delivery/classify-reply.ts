// Delivery outcomes from SMTP/LMTP replies and transport errors: 4xx and network trouble
// are retried, 5xx bounce. Pure.
export type DeliveryOutcome =
  | { kind: 'sent'; dsn: string; text: string; relay: string }
  | { kind: 'deferred'; dsn: string; text: string; relay: string }
  | { kind: 'bounced'; dsn: string; text: string; relay: string };

/** strerror(3) texts, as Postfix's smtp(8) logs them ("connect to host[ip]:25: Connection refused"). */
const SYSCALL_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
};

const networkText = (text: string) => {
  const errno = /\b(E[A-Z]{4,})\b/.exec(text)?.[1];
  return errno && SYSCALL_TEXT[errno] ? SYSCALL_TEXT[errno] : text;
};

export const classifyError = (err: unknown, relay: string): DeliveryOutcome => {
  const e = err as { responseCode?: number; response?: string; message?: string; code?: string; command?: string };
  const code = e.responseCode;
  // smtp_tls_security_level = encrypt: a hop that refuses STARTTLS (or cannot complete it) is
  // a reason to wait, never to bounce, as in Postfix's smtp(8) — the fault is the hop's setup.
  if (e.code === 'ETLS') {
    const host = relay.replace(/:\d+$/, '');
    if (e.command === 'STARTTLS' && e.response && !e.response.startsWith('2')) return { kind: 'deferred', dsn: '4.7.4', text: `TLS is required, but was not offered by host ${host}`, relay };
    return { kind: 'deferred', dsn: '4.7.5', text: `Cannot start TLS: handshake failure with host ${host}`, relay };
  }
  const text = (e.response ?? e.message ?? String(err)).replace(/\s+/g, ' ').trim();
  if (code && code >= 500 && code < 600) {
    const dsn = /\b(5\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '5.0.0';
    return { kind: 'bounced', dsn, text: `host ${relay} said: ${text}`, relay };
  }
  const dsn = /\b(4\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '4.4.1';
  return { kind: 'deferred', dsn, text: code ? `host ${relay} said: ${text}` : `connect to ${relay}: ${networkText(text)}`, relay };
};
