// The engine's event logger: every event goes to the Postfix-format mail.log (appended
// synchronously so a crash loses no line) and to the DeliveryEvent sink (batched; a sink
// failure is reported on stderr and never changes an SMTP reply).
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineEvent } from './events';
import { formatPostfix, syslogStamp } from './postfix-format';

export type EventSink = { write(event: EngineEvent & { at: Date }): void; flush(): Promise<void> };

export type EngineLogger = {
  emit(event: EngineEvent): void;
  raw(service: string, message: string): void;
  flush(): Promise<void>;
};

export const createEngineLogger = (opts: { logDir: string; sink?: EventSink; hostname?: string; echo?: boolean }): EngineLogger => {
  mkdirSync(opts.logDir, { recursive: true });
  const file = path.join(opts.logDir, 'mail.log');
  const host = (opts.hostname ?? os.hostname()).split('.')[0];
  const raw = (service: string, message: string, at = new Date()) => {
    const line = `${syslogStamp(at)} ${host} postfix/${service}[${process.pid}]: ${message}\n`;
    try {
      appendFileSync(file, line);
    } catch (e) {
      process.stderr.write(`postern: cannot write ${file}: ${(e as Error).message}\n`);
    }
    if (opts.echo) process.stdout.write(line);
  };
  return {
    raw,
    emit: (event) => {
      const at = event.at ?? new Date();
      const line = formatPostfix(event);
      if (line) raw(line[0], line[1], at);
      opts.sink?.write({ ...event, at });
    },
    flush: () => opts.sink?.flush() ?? Promise.resolve(),
  };
};
