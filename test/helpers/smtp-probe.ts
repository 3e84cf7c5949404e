// Raw SMTP over a real socket, optionally from a chosen loopback source address (127.0.0.2
// plays a trusted client, 127.0.1.x untrusted ones). Returns every reply line as sent.
import net from 'node:net';
import tls from 'node:tls';

export type Reply = { code: number; lines: string[]; text: string };

export class SmtpProbe {
  private buf = '';
  private waiters: ((r: Reply) => void)[] = [];
  private pending: Reply[] = [];
  private closed = false;
  private constructor(private readonly sock: net.Socket | tls.TLSSocket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let idx;
      const lines: string[] = [];
      while ((idx = this.buf.indexOf('\r\n')) >= 0) {
        lines.push(this.buf.slice(0, idx));
        this.buf = this.buf.slice(idx + 2);
      }
      for (const l of lines) this.onLine(l);
    });
    // A reset after the connection was made ends it like a close (which follows).
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w({ code: 0, lines: [], text: '(connection closed)' });
    });
  }
  private current: string[] = [];
  private onLine(line: string) {
    this.current.push(line);
    if (/^\d{3} /.test(line) || !/^\d{3}-/.test(line)) {
      const r = { code: Number(line.slice(0, 3)), lines: this.current, text: this.current.join('\n') };
      this.current = [];
      const w = this.waiters.shift();
      if (w) w(r);
      else this.pending.push(r);
    }
  }
  /** `tls`: implicit TLS (the submissions port), the server's certificate not verified. */
  static connect(port: number, o: { host?: string; localAddress?: string; tls?: boolean } = {}) {
    return new Promise<{ probe: SmtpProbe; greeting: Reply }>((resolve, reject) => {
      const where = { port, host: o.host ?? '127.0.0.1', localAddress: o.localAddress };
      const sock = o.tls ? tls.connect({ ...where, rejectUnauthorized: false }) : net.connect(where);
      sock.once('error', reject);
      const probe = new SmtpProbe(sock);
      probe.read().then((greeting) => resolve({ probe, greeting }), reject);
    });
  }
  read(timeoutMs = 15_000): Promise<Reply> {
    const p = this.pending.shift();
    if (p) return Promise.resolve(p);
    if (this.closed) return Promise.resolve({ code: 0, lines: [], text: '(connection closed)' });
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }
  write(raw: string) {
    this.sock.write(raw);
  }
  async cmd(line: string): Promise<Reply> {
    this.sock.write(`${line}\r\n`);
    return this.read();
  }
  get isClosed() {
    return this.closed;
  }
  close() {
    this.sock.destroy();
  }
}
