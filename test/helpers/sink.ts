// A real SMTP sink on loopback (smtp-server), standing in for a remote MX or relayhost:
// records what it receives and answers each RCPT as told.
import { createRequire } from 'node:module';
import type { SMTPServer as SMTPServerType } from 'smtp-server';

const { SMTPServer } = createRequire(import.meta.url)('smtp-server') as { SMTPServer: typeof SMTPServerType };

export type SinkMessage = { from: string; to: string[]; data: string };

export const startSink = async (o: { port?: number; rejectRcpt?: (rcpt: string) => { code: number; message: string } | undefined } = {}) => {
  const received: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo: (addr, _s, cb) => {
      const r = o.rejectRcpt?.(addr.address);
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData: (stream, session, cb) => {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        cb(null, 'Ok: queued as SINK1');
      });
    },
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
};
