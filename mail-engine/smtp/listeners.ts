// Binds each service (smtpd, submission, submissions) on every address inet_interfaces
// and inet_protocols name, and rebinds when a new policy changes them or a port — no
// restart. A port that cannot be bound is reported in one line (which port, why, how to
// change it) and the rest keeps running.
import type { Policy } from '../policy/policy';
import type { EngineContext } from './engine-context';
import { createSmtpServer, type SmtpServerHandle } from './create-smtp-server';
import type { Service } from './session-state';
import type { TlsMaterial } from './tls';

export type ListenerStatus = { service: Service; address: string; port: number; up: boolean; tls: boolean; error?: string };
export type PortOverrides = Partial<Record<Service, number>>;

const PORT_PARAM: Record<Service, string> = {
  smtpd: 'postern_smtpd_port',
  submission: 'postern_submission_port',
  submissions: 'postern_submissions_port',
};
const PORT_ENV: Record<Service, string> = { smtpd: 'POSTERN_SMTP_PORT', submission: 'POSTERN_SUBMISSION_PORT', submissions: 'POSTERN_SMTPS_PORT' };

const explain = (e: NodeJS.ErrnoException, service: Service, address: string, port: number) => {
  const why =
    e.code === 'EACCES'
      ? `permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
      : e.code === 'EADDRINUSE'
        ? 'the port is already in use (is another mail server running?)'
        : e.code === 'EADDRNOTAVAIL'
          ? 'no interface has that address (check inet_interfaces)'
          : e.message;
  return `cannot listen for ${service} on ${address.includes(':') ? `[${address}]` : address}:${port}: ${why}; set ${PORT_ENV[service]} or ${PORT_PARAM[service]} to a free port, or change inet_interfaces`;
};

type Bound = { handle: SmtpServerHandle; status: ListenerStatus };

export class Listeners {
  private bound = new Map<string, Bound>();
  private failed = new Map<string, ListenerStatus>();
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: EngineContext,
    private readonly tls: TlsMaterial | undefined,
    private readonly overrides: PortOverrides,
    private readonly onFailure: (line: string) => void,
  ) {}

  status(): ListenerStatus[] {
    return [...[...this.bound.values()].map((b) => b.status), ...this.failed.values()];
  }

  /** Serialised: two policy applications never bind concurrently. */
  apply(policy: Policy): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(policy)).catch((e) => this.onFailure(String(e)));
    return this.applying;
  }

  private async applyNow(policy: Policy) {
    const wanted = new Map<string, { service: Service; address: string; port: number }>();
    for (const service of ['smtpd', 'submission', 'submissions'] as const) {
      if (service === 'submissions' && !this.tls) continue;
      const port = this.overrides[service] ?? policy.listen.ports[service];
      for (const address of policy.listen.addresses) wanted.set(`${service}|${address}|${port}`, { service, address, port });
    }
    const retiring: [string, Bound][] = [];
    for (const [key, b] of this.bound) {
      if (wanted.has(key)) b.handle.updatePolicy(policy);
      else retiring.push([key, b]);
    }
    this.failed.clear();
    // Make before break: new listeners on ports no retiring listener holds start first;
    // the rest (same port, other address) can only bind once the old one has closed.
    const busyPorts = new Set(retiring.map(([, b]) => b.status.port));
    const fresh = [...wanted].filter(([key]) => !this.bound.has(key));
    await this.bindAll(fresh.filter(([, w]) => !busyPorts.has(w.port) || w.port === 0));
    for (const [key, b] of retiring) {
      this.bound.delete(key);
      await new Promise<void>((r) => b.handle.server.close(() => r()));
    }
    await this.bindAll(fresh.filter(([key]) => !this.bound.has(key) && !this.failed.has(key)));
  }

  private async bindAll(list: [string, { service: Service; address: string; port: number }][]) {
    for (const [key, w] of list) {
      const handle = createSmtpServer(this.ctx, w.service, this.tls);
      try {
        const port = await listen(handle, w.address, w.port);
        this.bound.set(key, { handle, status: { ...w, port, up: true, tls: !!this.tls } });
      } catch (e) {
        const line = explain(e as NodeJS.ErrnoException, w.service, w.address, w.port);
        this.failed.set(key, { ...w, up: false, tls: !!this.tls, error: line });
        this.onFailure(line);
      }
    }
  }

  async close() {
    await this.applying;
    await Promise.all([...this.bound.values()].map((b) => new Promise<void>((r) => b.handle.server.close(() => r()))));
    this.bound.clear();
  }
}

const listen = (handle: SmtpServerHandle, address: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    const net = handle.server.server;
    const onError = (e: Error) => {
      net.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      net.off('error', onError);
      const a = net.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    };
    net.once('error', onError);
    net.once('listening', onListening);
    net.listen({ port, host: address, ipv6Only: false });
  });
