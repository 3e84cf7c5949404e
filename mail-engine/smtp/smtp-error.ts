// SmtpError: the only throwable that crosses into smtp-server callbacks. It carries the
// reply code and the enhanced status code as fields, so a fault of ours can never turn into
// smtp-server's default 550 (a bare Error would: the WildDuck counter-example), and the
// connection (postern-smtp-server.ts) sends the enhanced code we chose, not smtp-server's guess.
import type { SmtpReply } from '../policy/types';

export class SmtpError extends Error {
  readonly responseCode: number;
  readonly enhanced: string;
  constructor(code: number, enhanced: string, text: string) {
    super(text);
    this.responseCode = code;
    this.enhanced = enhanced;
  }
  static from(reply: SmtpReply) {
    return new SmtpError(reply.code, reply.enhanced, reply.text);
  }
  get text() {
    return this.message;
  }
  get reply(): SmtpReply {
    return { code: this.responseCode, enhanced: this.enhanced, text: this.message };
  }
}

export const tempFail = (text = 'Error: queue file write error') => new SmtpError(451, '4.3.0', text);

/** Any error reaching a callback becomes a SmtpError: unknown faults are transient (451). */
export const asSmtpError = (err: unknown): SmtpError =>
  err instanceof SmtpError ? err : tempFail('Error: internal error, try again later');
