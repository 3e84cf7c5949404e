// Outbound SMTP (and LMTP) with nodemailer: to relayhost when set ([host]:port skips the
// MX lookup), otherwise to the recipient domain's MX hosts in preference order, with
// opportunistic STARTTLS (smtp_tls_security_level = may) or required TLS (encrypt).
// All recipients of one message for one next hop go in one transaction, and connections
// to a next hop are pooled and reused (Postfix's connection cache), at most
// default_destination_concurrency_limit at a time. Each recipient gets its own outcome:
// a 5xx to one RCPT bounces that recipient only.
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { classifyError, type DeliveryOutcome } from './classify-reply';
import { bodyStream, inMemory, type MessageBody } from '../store/message-body';

export type SmtpTarget = { host: string; port: number };

export const createResolver = (dnsServer?: string) => {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (dnsServer) r.setServers([dnsServer]);
  return r;
};

/** MX hosts in preference order; the domain itself (implicit MX) when it has none. */
export const lookupTargets = async (resolver: Resolver, domain: string, port: number): Promise<SmtpTarget[]> => {
  try {
    const mx = await resolver.resolveMx(domain);
    // RFC 7505 null MX: the domain accepts no mail.
    if (mx.length === 1 && mx[0]!.exchange === '') throw Object.assign(new Error(`${domain} has a null MX (accepts no mail)`), { code: 'NULLMX' });
    if (mx.length) return mx.sort((a, b) => a.priority - b.priority).map((m) => ({ host: m.exchange, port }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw e;
  }
  return [{ host: domain, port }];
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

export type SendOptions = {
  targets: (SmtpTarget | { socketPath: string })[];
  from: string;
  to: string[];
  /** In memory, or partly in a file (a large message): streamed to each attempt afresh. */
  message: MessageBody;
  heloName: string;
  tls: 'none' | 'may' | 'encrypt';
  lmtp?: boolean;
  resolver?: Resolver;
  /** Connections kept per next hop (default_destination_concurrency_limit). */
  maxConnections?: number;
};

/** What nodemailer sends: the buffer, or a stream that reads the file piece by piece. */
const rawOf = (body: MessageBody) => {
  const buffers = inMemory(body);
  if (!buffers) return bodyStream(body);
  return buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
};

type Pooled = { transport: nodemailer.Transporter; lastUsed: number; busy: number };

/**
 * Opens the connection for nodemailer with Nagle's algorithm off: SMTP is a chain of short
 * writes each waiting for a reply, and with Nagle on, a message's last segment waits for
 * the peer's delayed ACK (40 ms on Linux) — measured: 22 messages/s per connection.
 */
const connectNoDelay = (target: { host: string; port: number } | { socketPath: string }, timeoutMs: number) => (_opts: unknown, cb: (err: Error | null, o?: { connection: net.Socket }) => void) => {
  const socket = 'socketPath' in target ? net.connect({ path: target.socketPath }) : net.connect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connection timed out after ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' })), timeoutMs);
  const onError = (e: Error) => {
    clearTimeout(timer);
    cb(e);
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.off('error', onError);
    socket.setKeepAlive(true);
    cb(null, { connection: socket });
  });
};

/**
 * Pooled transports keyed by next hop and options. As Postfix's connection cache
 * (smtp_connection_cache_time_limit = 2s), a connection idle for two seconds is closed.
 */
export const createSmtpClient = () => {
  const pools = new Map<string, Pooled>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, p] of pools) {
      if (now - p.lastUsed > 2_000 && !p.busy) {
        p.transport.close();
        pools.delete(k);
      }
    }
  }, 1_000);
  sweep.unref();

  const transportFor = (address: string | { socketPath: string }, port: number, host: string, o: SendOptions) => {
    // The host name is part of the key: it is the TLS server name (SNI) of the pooled connections.
    const key = JSON.stringify([address, port, host, o.tls, o.lmtp ?? false, o.heloName]);
    let p = pools.get(key);
    if (!p) {
      const target = typeof address === 'string' ? { host: address, port } : { socketPath: address.socketPath };
      const transport = nodemailer.createTransport({
        ...target,
        getSocket: connectNoDelay(target, 30_000),
        pool: !o.lmtp,
        maxConnections: o.maxConnections ?? 20,
        maxMessages: 1000,
        secure: false,
        lmtp: o.lmtp,
        name: o.heloName,
        ignoreTLS: o.tls === 'none',
        requireTLS: o.tls === 'encrypt',
        // SNI is a host name, never an IP literal (RFC 6066 §3): a bracketed relayhost sends none.
        tls: { rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }), minVersion: 'TLSv1.2' },
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      } as unknown as nodemailer.TransportOptions);
      pools.set(key, (p = { transport, lastUsed: Date.now(), busy: 0 }));
    }
    p.lastUsed = Date.now();
    return p;
  };

  /** One transaction for all recipients; returns each recipient's outcome. */
  const send = async (o: SendOptions): Promise<Map<string, DeliveryOutcome>> => {
    const out = new Map<string, DeliveryOutcome>();
    const all = (outcome: DeliveryOutcome) => {
      for (const r of o.to) if (!out.has(r)) out.set(r, outcome);
      return out;
    };
    let last: DeliveryOutcome = { kind: 'deferred', dsn: '4.4.1', text: 'no route to destination', relay: 'none' };
    for (const t of o.targets) {
      const socket = 'socketPath' in t;
      let relay = socket ? `local[${t.socketPath}]` : `${t.host}:${t.port}`;
      try {
        let address: string | { socketPath: string };
        if (socket) address = { socketPath: t.socketPath };
        else {
          address = await resolveHost(o.resolver, t.host);
          relay = `${t.host}[${address}]:${t.port}`;
        }
        const pooled = transportFor(address, socket ? 0 : t.port, socket ? 'localhost' : t.host, o);
        pooled.busy++;
        let info: { response?: string; rejectedErrors?: { recipient?: string; responseCode?: number; response?: string; message?: string }[] };
        try {
          info = await pooled.transport.sendMail({ envelope: { from: o.from, to: o.to }, raw: rawOf(o.message) });
        } finally {
          pooled.busy--;
          pooled.lastUsed = Date.now();
        }
        for (const e of info.rejectedErrors ?? []) if (e.recipient) out.set(e.recipient, classifyError(e, relay));
        return all({ kind: 'sent', dsn: '2.0.0', text: String(info.response ?? '250 Ok').trim(), relay });
      } catch (e) {
        const err = e as { rejectedErrors?: { recipient?: string }[]; code?: string };
        if (err.rejectedErrors?.length) {
          // Every recipient refused at RCPT: each gets its own verdict, no other host is tried.
          for (const r of err.rejectedErrors) if (r.recipient) out.set(r.recipient, classifyError(r, relay));
          return all(classifyError(e, relay));
        }
        last = classifyError(e, relay);
        if (last.kind === 'bounced') return all(last);
      }
    }
    return all(last);
  };

  return {
    send,
    close: () => {
      clearInterval(sweep);
      for (const p of pools.values()) p.transport.close();
      pools.clear();
    },
  };
};

export type SmtpClient = ReturnType<typeof createSmtpClient>;
