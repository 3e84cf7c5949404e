// The parameters the engine acts on outside the restriction lists — how to deliver locally,
// where to relay, on which port, with which TLS, how many deliveries at once, when to retry,
// where to listen, what to greet with — parsed once at compile time into typed fields. A
// malformed value is a compile error with its reason, so it is refused when it is saved or
// imported, never discovered by a delivery or a listener later. Pure.
import { parseIp } from './match/ip';
import { parseTime, splitList } from './parameters';
import { parseLocalTransport } from './local-transport';
import type { DeliverySettings, ListenSettings, LocalTransport, NextHop } from './policy';
import type { ParameterValues, PolicyError } from './types';

/** Service names smtp_tcp_port and next hops may use instead of a number (known_tcp_ports). */
const KNOWN_TCP_PORTS: Record<string, number> = { smtp: 25, submission: 587, submissions: 465, smtps: 465, lmtp: 24 };

/** A TCP port: 1-65535 or a known service name; a message for errors. */
export const parseTcpPort = (raw: string): number | string => {
  const v = raw.trim().toLowerCase();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n >= 1 && n <= 65535 ? n : `"${raw}": a port must be 1-65535`;
  }
  return KNOWN_TCP_PORTS[v] ?? `"${raw}" is not a port number or a known service (${Object.keys(KNOWN_TCP_PORTS).join(', ')})`;
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/**
 * A next hop as relayhost writes it: host, host:port, [host], [host]:port, [address]:port
 * ("[...]" skips the MX lookup). A message for errors.
 */
export const parseNextHop = (raw: string, defaultPort: number): NextHop | string => {
  const spec = raw.trim();
  const m = /^(?:\[([^[\]]+)\]|([^[\]:]+))(?::([^:[\]]+))?$/.exec(spec);
  if (!m) {
    return `"${spec}": expected host, host:port, [host] or [host]:port${/[[\]]/.test(spec) ? ' (unbalanced or misplaced brackets)' : ''}`;
  }
  const bracketed = m[1] !== undefined;
  let host = (m[1] ?? m[2]!).trim();
  if (bracketed && /^ipv6:/i.test(host)) host = host.slice(5);
  if (!HOST_NAME.test(host) && !parseIp(host)) return `"${spec}": "${host}" is not a host name or an IP address`;
  if (!bracketed && parseIp(host)) return `"${spec}": an IP address must be written in brackets ([${host}]), as it has no MX record`;
  let port = defaultPort;
  if (m[3] !== undefined) {
    const p = parseTcpPort(m[3]);
    if (typeof p === 'string') return `"${spec}": ${p}`;
    port = p;
  }
  return { spec, host, port, mxLookup: !bracketed };
};

/** inet_interfaces × inet_protocols → the addresses to bind. */
const bindAddresses = (params: ParameterValues, errors: PolicyError[]): string[] => {
  const protos = splitList(params.inet_protocols ?? 'all');
  const v4 = protos.includes('all') || protos.includes('ipv4');
  const v6 = protos.includes('all') || protos.includes('ipv6');
  const out: string[] = [];
  for (const item of splitList(params.inet_interfaces ?? 'all')) {
    const i = item.toLowerCase();
    if (i === 'all') out.push(v6 ? '::' : '0.0.0.0');
    else if (i === 'loopback-only' || i === 'localhost') {
      if (v4) out.push('127.0.0.1');
      if (v6) out.push('::1');
    } else {
      const address = i.replace(/^\[|\]$/g, '');
      const ip = parseIp(address);
      if (!ip) errors.push({ parameter: 'inet_interfaces', message: `"${item}" is not an IP address, all, loopback-only or localhost` });
      else if ((ip.family === 4 && !v4) || (ip.family === 6 && !v6)) errors.push({ parameter: 'inet_interfaces', message: `"${item}" is an IPv${ip.family} address but inet_protocols = ${params.inet_protocols}` });
      else out.push(address);
    }
  }
  return [...new Set(out)];
};

export const compileEngineSettings = (params: ParameterValues, errors: PolicyError[]) => {
  const transport = parseLocalTransport(params.local_transport ?? 'maildir');
  if (typeof transport === 'string') errors.push({ parameter: 'local_transport', message: transport });
  const localTransport: LocalTransport = typeof transport === 'string' ? { kind: 'maildir' } : transport;

  const int = (n: string) => Number(params[n] ?? 0);
  const secs = (n: string) => parseTime(params[n] ?? '') ?? 0;

  let smtpPort = 25;
  const port = parseTcpPort(params.smtp_tcp_port ?? 'smtp');
  if (typeof port === 'string') errors.push({ parameter: 'smtp_tcp_port', message: port });
  else smtpPort = port;

  let relayhost: NextHop | undefined;
  if ((params.relayhost ?? '').trim()) {
    const hop = parseNextHop(params.relayhost!, smtpPort);
    if (typeof hop === 'string') errors.push({ parameter: 'relayhost', message: hop });
    else relayhost = hop;
  }

  const tlsLevel = params.smtp_tls_security_level ?? 'may';
  if (tlsLevel !== 'none' && tlsLevel !== 'may' && tlsLevel !== 'encrypt') {
    errors.push({ parameter: 'smtp_tls_security_level', message: `"${tlsLevel}" is not one of none, may, encrypt` });
  }

  const retry = { minimalBackoffS: secs('minimal_backoff_time'), maximalBackoffS: secs('maximal_backoff_time'), maximalQueueLifetimeS: secs('maximal_queue_lifetime') };
  if (retry.minimalBackoffS > retry.maximalBackoffS) {
    errors.push({ parameter: 'minimal_backoff_time', message: `${params.minimal_backoff_time} is longer than maximal_backoff_time (${params.maximal_backoff_time})` });
  }

  const delivery: DeliverySettings = {
    relayhost,
    smtpPort,
    tlsLevel: tlsLevel === 'none' || tlsLevel === 'encrypt' ? tlsLevel : 'may',
    concurrency: {
      local: Math.max(1, int('virtual_destination_concurrency_limit')),
      lmtp: Math.max(1, int('lmtp_destination_concurrency_limit')),
      default: Math.max(1, int('default_destination_concurrency_limit')),
    },
    retry,
    leaseMs: Math.max(1, secs('postern_queue_lease_time')) * 1000,
    recordRetryMs: Math.max(1, secs('postern_record_retry_time')) * 1000,
  };

  const listen: ListenSettings = {
    addresses: bindAddresses(params, errors),
    ports: { smtpd: int('postern_smtpd_port'), submission: int('postern_submission_port'), submissions: int('postern_submissions_port') },
  };

  const identity = {
    banner: params.smtpd_banner ?? '',
    mailName: params.mail_name ?? 'Postern',
    tlsCertFile: params.smtpd_tls_cert_file ?? '',
    tlsKeyFile: params.smtpd_tls_key_file ?? '',
  };
  if (identity.tlsCertFile && !identity.tlsKeyFile) errors.push({ parameter: 'smtpd_tls_key_file', message: 'smtpd_tls_cert_file is set but the key file is empty' });
  return { localTransport, delivery, listen, identity };
};
