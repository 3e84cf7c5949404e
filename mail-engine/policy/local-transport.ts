// local_transport, parsed at compile time. Pure.
import type { LocalTransport } from './policy';

/**
 * local_transport as Postfix writes it: "lmtp:inet:host:port", "lmtp:unix:/path" (also
 * "lmtp:host:port", "lmtp:[host]:port"), or Postern's own Maildir delivery — "maildir",
 * and Postfix's "local"/"virtual" transports, which it stands in for. A message for errors.
 */
export const parseLocalTransport = (raw: string): LocalTransport | string => {
  const v = raw.trim();
  if (/^(maildir|local|virtual)(:.*)?$/.test(v)) return { kind: 'maildir' };
  const m = /^lmtp:(.+)$/.exec(v);
  if (!m) return `"${v}" is not a supported transport (use maildir, or lmtp:inet:host:port or lmtp:unix:/path)`;
  const dest = m[1]!.trim();
  if (dest.startsWith('unix:')) return dest.length > 5 ? { kind: 'lmtp', socketPath: dest.slice(5) } : `"${v}": the socket path is missing`;
  const hop = /^(?:inet:)?(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(dest);
  if (!hop) return `"${v}": expected lmtp:inet:host:port or lmtp:unix:/path`;
  const port = hop[3] ? Number(hop[3]) : 24;
  if (port < 1 || port > 65535) return `"${v}": port must be 1-65535`;
  return { kind: 'lmtp', host: hop[1] ?? hop[2]!, port };
};

