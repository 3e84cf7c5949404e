// Narrow adjustments to smtp-server (version pinned in package.json), applied once:
// 1. send(): a message built by SmtpError carries its own enhanced status code, so replies
//    match Postfix's ("554 5.7.1 <x>: Relay access denied") instead of smtp-server's
//    code-based guess; multi-line texts (smtpd_reject_footer) become multi-line replies.
//    Every reply is also reported to the server's `onReply` option: Postern counts each
//    4xx/5xx as an error, as Postfix's smtpd does, whatever produced it (junk commands,
//    refused RCPTs, failed AUTH), and disconnects at smtpd_hard_error_limit.
// 2. _onCommand(): reported to `onCommand`, which re-arms the per-command deadline — a
//    client that drips one byte at a time cannot keep the session alive, unlike an idle
//    timer that every byte resets.
// 3. EHLO: extra keywords from `extraEhlo` are inserted after the AUTH line.
// 4. init(): the fixed 100 ms early-talker pause before the greeting becomes the option
//    `greetPauseMs` (postern_greet_pause); 0 greets at once.
// 5. _parseAddressCommand(): smtp-server refuses (501) envelope addresses Postfix accepts
//    and then judges by policy — a quoted local part holding "@", a bare local part, a
//    trailing dot. Such an address is parsed as a placeholder (so parameters are still
//    validated) and handed on verbatim; the policy core resolves it as trivial-rewrite does.
// The connection is reachable from its session through CONNECTION.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ENHANCED_MARK } from './smtp-error';

export const CONNECTION = Symbol.for('postern.smtp-connection');

export type PatchedConnection = {
  send(code: number, data?: unknown, context?: unknown): void;
  close(): void;
  session: { id: string } & Record<string | symbol, unknown>;
  _socket: { destroy(): void; end(): void };
  _closing?: boolean;
  _closed?: boolean;
  name: string;
};

type ServerOptions = {
  maxClients?: number;
  greetPauseMs?: number;
  onReply?: (conn: PatchedConnection, code: number) => void;
  onCommand?: (conn: PatchedConnection, command: string) => void;
  /** Extra EHLO keywords after AUTH (broken_sasl_auth_clients: "AUTH=PLAIN LOGIN"). */
  extraEhlo?: (conn: PatchedConnection) => string[];
};

type Conn = PatchedConnection & {
  init(): void;
  _setListeners(cb: () => void): void;
  connectionReady(): void;
  _onCommand(command: Buffer | string, callback: () => void): void;
  _parseAddressCommand(name: string, command: string | Buffer): { address: string; args: unknown } | false;
  _server: { options: ServerOptions; connections: Set<unknown> };
};

let patched = false;

export const patchSmtpServer = () => {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('smtp-server');
  const { SMTPConnection } = require(path.join(path.dirname(entry), 'smtp-connection.js')) as {
    SMTPConnection: { prototype: Conn };
  };
  const proto = SMTPConnection.prototype;

  const originalSend = proto.send;
  proto.send = function (this: Conn, code, data, context) {
    let result;
    // smtp-server's own SIZE= check: answer with Postfix's words and enhanced code.
    if (code === 552 && typeof data === 'string' && data.includes('exceeds fixed maximum message size')) {
      data = `${ENHANCED_MARK}5.3.4${ENHANCED_MARK}Message size exceeds fixed limit`;
    }
    if (code === 250 && Array.isArray(data)) {
      const at = data.findIndex((l) => typeof l === 'string' && l.startsWith('AUTH '));
      const extra = at >= 0 ? this._server.options.extraEhlo?.(this) : undefined;
      if (extra?.length) data = [...data.slice(0, at + 1), ...extra, ...data.slice(at + 1)];
    }
    if (typeof data === 'string' && data.startsWith(ENHANCED_MARK)) {
      const [, enhanced = '', text = ''] = data.split(ENHANCED_MARK);
      const lines = text.split('\n').map((l) => (enhanced ? `${enhanced} ${l}` : l));
      result = originalSend.call(this, code, lines.length > 1 ? lines : lines[0], false);
    } else {
      result = originalSend.call(this, code, data, context);
    }
    this._server.options.onReply?.(this, code);
    return result;
  };

  const originalOnCommand = proto._onCommand;
  proto._onCommand = function (this: Conn, command, callback) {
    this._server.options.onCommand?.(this, (command || '').toString().split(' ')[0]!.toUpperCase());
    return originalOnCommand.call(this, command, callback);
  };

  const originalParse = proto._parseAddressCommand;
  proto._parseAddressCommand = function (this: Conn, name, command) {
    const parsed = originalParse.call(this, name, command);
    if (parsed) return parsed;
    const raw = (command || '').toString();
    const m = /^([^:]*:\s*)<([^<>\s\x00-\x1f\x7f]+)>(.*)$/.exec(raw);
    if (!m) return false;
    const retry = originalParse.call(this, name, `${m[1]}<placeholder@placeholder.invalid>${m[3]}`);
    if (!retry) return false;
    return { ...retry, address: m[2]!.replace(/^@[^\s,:@]+(?:,@[^\s,:@]+)*:/, '') };
  };

  proto.init = function (this: Conn) {
    Object.defineProperty(this.session, CONNECTION, { value: this, enumerable: false });
    this._setListeners(() => {
      const { maxClients, greetPauseMs = 100 } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      if (greetPauseMs <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), greetPauseMs).unref();
    });
  };
};

export const connectionOf = (session: object) => (session as Record<symbol, PatchedConnection | undefined>)[CONNECTION];
