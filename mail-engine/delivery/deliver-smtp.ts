// Outbound SMTP (and LMTP) with nodemailer: to relayhost when set ([host]:port skips the
// MX lookup), otherwise to the recipient domain's MX hosts in preference order, with
// opportunistic STARTTLS (smtp_tls_security_level = may) or required TLS (encrypt).
import { Resolver } from 'node:dns/promises';
import nodemailer from 'nodemailer';
import { classifyError, type DeliveryOutcome } from './classify-reply';

export type SmtpTarget = { host: string; port: number };

export const parseNextHop = (spec: string, defaultPort = 25): { host: string; port: number; mxLookup: boolean } => {
  const m = /^(\[?)([^\]]+?)(\]?)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new Error(`bad next-hop "${spec}"`);
  return { host: m[2]!, port: m[4] ? Number(m[4]) : defaultPort, mxLookup: m[1] !== '[' };
};

export const createResolver = (dnsServer?: string) => {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (dnsServer) r.setServers([dnsServer]);
  return r;
};

/** MX hosts in preference order; the domain itself (implicit MX) when it has none. */
export const lookupTargets = async (resolver: Resolver, domain: string, port: number): Promise<SmtpTarget[]> => {
  try {
    const mx = await resolver.resolveMx(domain);
    if (mx.length) return mx.sort((a, b) => a.priority - b.priority).map((m) => ({ host: m.exchange, port }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw e;
  }
  return [{ host: domain, port }];
};

export type SendOptions = {
  targets: SmtpTarget[];
  from: string;
  to: string[];
  message: Buffer;
  heloName: string;
  tls: 'none' | 'may' | 'encrypt';
  lmtp?: boolean;
  resolver?: Resolver;
};

const resolveHost = async (resolver: Resolver | undefined, host: string) => {
  if (!resolver || /^[\d.]+$/.test(host) || host.includes(':')) return host;
  try {
    const a = await resolver.resolve4(host);
    if (a[0]) return a[0];
  } catch {
    /* fall through to AAAA */
  }
  const aaaa = await resolver.resolve6(host);
  if (!aaaa[0]) throw Object.assign(new Error(`Host not found: ${host}`), { code: 'ENOTFOUND' });
  return aaaa[0];
};

export const sendSmtp = async (o: SendOptions): Promise<DeliveryOutcome> => {
  let last: DeliveryOutcome = { kind: 'deferred', dsn: '4.4.1', text: 'no route to destination', relay: 'none' };
  for (const t of o.targets) {
    let relay = `${t.host}:${t.port}`;
    try {
      const address = await resolveHost(o.resolver, t.host);
      relay = `${t.host}[${address}]:${t.port}`;
      const transport = nodemailer.createTransport({
        host: address,
        port: t.port,
        secure: false,
        lmtp: o.lmtp,
        name: o.heloName,
        ignoreTLS: o.tls === 'none',
        requireTLS: o.tls === 'encrypt',
        tls: { rejectUnauthorized: false, servername: t.host, minVersion: 'TLSv1.2' },
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      } as nodemailer.TransportOptions);
      const info = await transport.sendMail({ envelope: { from: o.from, to: o.to }, raw: o.message });
      transport.close();
      return { kind: 'sent', dsn: '2.0.0', text: String(info.response ?? '250 Ok'), relay };
    } catch (e) {
      last = classifyError(e, relay);
      if (last.kind === 'bounced') return last;
    }
  }
  return last;
};
