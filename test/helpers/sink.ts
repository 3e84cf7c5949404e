// A real SMTP sink on loopback (smtp-server), standing in for a remote MX or relayhost:
// records what it receives (and whether the session was encrypted), answers each RCPT as
// told, can offer STARTTLS with a self-signed certificate, can hold each message a while
// before answering, can stop answering the end of DATA until told to go on (pause/resume:
// a kill of the sender then lands while no 250 is on the wire), and reports the most
// sessions it had open at once. `received` has every message whose data ended; `answered`
// only those whose 250 went to a client still connected.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { SMTPServer as SMTPServerType } from 'smtp-server';
import { loadTlsMaterial } from '../../mail-engine/smtp/tls';

const { SMTPServer } = createRequire(import.meta.url)('smtp-server') as { SMTPServer: typeof SMTPServerType };

export type SinkMessage = { from: string; to: string[]; data: string; secure: boolean; helo: string };

export const startSink = async (
  o: {
    port?: number;
    host?: string;
    tls?: boolean;
    /** Milliseconds to wait before answering the end of DATA. */
    holdMs?: number;
    /** The first N sessions lose their connection in the middle of DATA (the next hop crashed). */
    dropFirst?: number;
    rejectRcpt?: (rcpt: string) => { code: number; message: string } | undefined;
  } = {},
) => {
  const received: SinkMessage[] = [];
  /** The server names clients asked for in their TLS handshake (SNI), in order. */
  const serverNames: string[] = [];
  const answered: SinkMessage[] = [];
  const closed = new Set<string>();
  let paused = false;
  let waiting: (() => void)[] = [];
  let open = 0;
  let dropped = 0;
  let maxOpen = 0;
  const tlsDir = o.tls ? mkdtempSync(path.join(os.tmpdir(), 'postern-sink-tls-')) : undefined;
  const material = tlsDir ? loadTlsMaterial({ dataDir: tlsDir, certFile: '', keyFile: '', hostname: 'sink.test' }) : undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: o.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(material
      ? {
          key: material.key,
          cert: material.cert,
          SNICallback: (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
            serverNames.push(name);
            cb(null, tls.createSecureContext({ key: material.key, cert: material.cert }));
          },
        }
      : {}),
    logger: false,
    onConnect: (_s, cb) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      cb();
    },
    onClose: (session) => {
      open--;
      closed.add(session.id);
    },
    onRcptTo: (addr, _s, cb) => {
      const r = o.rejectRcpt?.(addr.address);
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData: (stream, session, cb) => {
      if (dropped < (o.dropFirst ?? 0)) {
        dropped++;
        const conn = [...(server as unknown as { connections: Set<{ session: unknown; _socket: { destroy(): void } }> }).connections].find((c) => c.session === session);
        stream.once('data', () => conn?._socket.destroy());
        stream.resume();
        return;
      }
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        const message = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
          secure: !!session.secure,
          helo: session.hostNameAppearsAs,
        };
        received.push(message);
        const answer = () => {
          if (paused) return void waiting.push(answer);
          if (closed.has(session.id)) return;
          answered.push(message);
          cb(null, 'Ok: queued as SINK1');
        };
        if (o.holdMs) setTimeout(answer, o.holdMs);
        else answer();
      });
    },
  });
  // A client that dies mid-session (a killed sender) resets its connection: not our error.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    received,
    answered,
    serverNames,
    maxOpen: () => maxOpen,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      const go = waiting;
      waiting = [];
      for (const answer of go) answer();
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
    },
  };
};
