// Narrow adjustments to smtp-server (version pinned in package.json), applied once. Each
// one reads an option of the server, so the engine decides and smtp-server only asks:
//  1. send(): a message built by SmtpError carries its own enhanced status code, so replies
//     match Postfix's ("554 5.7.1 <x>: Relay access denied") instead of smtp-server's
//     code-based guess; multi-line texts (smtpd_reject_footer) become multi-line replies;
//     smtp-server's own texts are replaced by Postfix's (REPLY_TEXT). Every reply is
//     reported to `onReply`: Postern counts each 4xx/5xx as an error, as Postfix's smtpd
//     does, whatever produced it (junk commands, refused RCPTs, failed AUTH).
//  2. _onCommand(): reported to `onCommand` with whether the client had already sent more
//     (pipelining ahead of the reply) — for the per-command deadline (a client dripping a
//     byte at a time cannot keep the session alive), reject_unauth_pipelining, and commands
//     the engine answers itself (smtpd_data_restrictions at DATA, unauthorized XCLIENT).
//  3. EHLO/HELO: the first line is the host name alone, as Postfix sends it; keywords can
//     be added (`extraEhlo`: "AUTH=PLAIN LOGIN") or removed (`ehloFilter`).
//  4. The greeting text comes from `greeting` (smtpd_banner); the fixed 100 ms
//     early-talker pause before it becomes `greetPauseMs` (postern_greet_pause).
//  5. _parseAddressCommand(): smtp-server refuses (501) envelope addresses Postfix accepts
//     and then judges by policy — a quoted local part holding "@", a bare local part, a
//     trailing dot. Such an address is parsed as a placeholder (so parameters are still
//     validated) and handed on verbatim; the policy core resolves it as trivial-rewrite does.
//  6. The command parser tells `onBareNewline` about a command line ended by a bare <LF>
//     (smtpd_forbid_bare_newline); the PROXY header is expected from `expectsProxy` peers.
//  7. In DATA, lines that start with a dot are found with Buffer#indexOf, not by a loop
//     over every byte (data-scanner.ts: the original otherwise, checked against it).
//  8. After the 221 to QUIT the channel is closed (RFC 5321 4.1.1.10), not half-closed.
// The connection is reachable from its session through CONNECTION.
import { createRequire } from 'node:module';
import path from 'node:path';
import { feedDataStream, type DataStreamState } from './data-scanner';
import { ENHANCED_MARK, type SmtpError } from './smtp-error';

export const CONNECTION = Symbol.for('postern.smtp-connection');

export type PatchedConnection = {
  send(code: number, data?: unknown, context?: unknown): void;
  close(): void;
  session: { id: string } & Record<string | symbol, unknown>;
  _socket: { destroy(): void; end(): void; destroyed: boolean; writableLength: number };
  secure?: boolean;
  _closing?: boolean;
  _closed?: boolean;
  name: string;
  remoteAddress: string;
  _originalRemoteAddress?: string;
};

type ServerOptions = {
  maxClients?: number;
  greetPauseMs?: number;
  onReply?: (conn: PatchedConnection, code: number) => void;
  /** Returning a SmtpError answers the command with it instead of running it. */
  onCommand?: (conn: PatchedConnection, verb: string, pipelinedAhead: boolean) => SmtpError | undefined;
  /** Extra EHLO keywords after AUTH (broken_sasl_auth_clients: "AUTH=PLAIN LOGIN"). */
  extraEhlo?: (conn: PatchedConnection) => string[];
  ehloFilter?: (conn: PatchedConnection, keyword: string) => boolean;
  greeting?: (conn: PatchedConnection) => string;
  onBareNewline?: (conn: PatchedConnection) => SmtpError | undefined;
  expectsProxy?: (address: string) => boolean;
};

type Conn = PatchedConnection & {
  init(): void;
  _setListeners(cb: () => void): void;
  connectionReady(): void;
  _sendGreeting(): void;
  _onCommand(command: Buffer | string, callback: () => void): void;
  handler_QUIT(command: Buffer | string, callback: () => void): void;
  _parseAddressCommand(name: string, command: string | Buffer): { address: string; args: unknown } | false;
  _parser: ParserState;
  _server: { options: ServerOptions; connections: Set<unknown> };
};

type ParserState = { _dataMode: boolean; _linesAhead?: number; _lastByte?: number; _bareNewline?: boolean };

/** smtp-server's own reply texts → Postfix's (code, old text) → new text. */
const REPLY_TEXT: Record<string, string> = {
  '250 Accepted': 'Ok',
  '250 Flushed': 'Ok',
  '250 OK': 'Ok',
  '221 Bye': 'Bye',
  '500 Error: command not recognized': `${ENHANCED_MARK}5.5.2${ENHANCED_MARK}Error: command not recognized`,
  '252 Try to send something. No promises though': 'Send some mail, I might try my best',
  '421 Timeout - closing connection': 'Error: timeout exceeded',
  '501 Error: Bad sender address syntax': 'Bad sender address syntax',
  '501 Error: Bad recipient address syntax': 'Bad recipient address syntax',
  '250 OK: message queued': 'Ok',
};
/** Postfix answers an unknown command with 502 (smtp-server: 500). */
const REPLY_CODE: Record<string, number> = { '500 Error: command not recognized': 502 };

let patched = false;

export const patchSmtpServer = () => {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('smtp-server');
  const dir = path.dirname(entry);
  const { SMTPConnection } = require(path.join(dir, 'smtp-connection.js')) as { SMTPConnection: { prototype: Conn } };
  const { SMTPStream } = require(path.join(dir, 'smtp-stream.js')) as {
    SMTPStream: { prototype: ParserState & { _write(chunk: Buffer, enc: string, next: (e?: Error) => void): void } };
  };
  const { SMTPServer } = require(path.join(dir, 'smtp-server.js')) as {
    SMTPServer: { prototype: { options: ServerOptions; _expectsProxyHeader(socket: { remoteAddress?: string }): boolean } };
  };
  const proto = SMTPConnection.prototype;

  // ── 1. replies ──
  const originalSend = proto.send;
  proto.send = function (this: Conn, code, data, context) {
    let result;
    // smtp-server's own SIZE= check: answer with Postfix's words and enhanced code.
    if (code === 552 && typeof data === 'string' && data.includes('exceeds fixed maximum message size')) {
      data = `${ENHANCED_MARK}5.3.4${ENHANCED_MARK}Message size exceeds fixed limit`;
    }
    if (typeof data === 'string') {
      const key = `${code} ${data}`;
      if (REPLY_CODE[key]) code = REPLY_CODE[key]!;
      if (REPLY_TEXT[key]) data = REPLY_TEXT[key];
    }
    if (code === 250 && Array.isArray(data)) {
      const opts = this._server.options;
      let lines = (data as string[]).filter((l, i) => i === 0 || !opts.ehloFilter || opts.ehloFilter(this, l));
      const at = lines.findIndex((l) => typeof l === 'string' && l.startsWith('AUTH '));
      const extra = at >= 0 ? opts.extraEhlo?.(this) : undefined;
      if (extra?.length) lines = [...lines.slice(0, at + 1), ...extra, ...lines.slice(at + 1)];
      data = lines;
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

  // ── 2. commands ──
  const originalOnCommand = proto._onCommand;
  proto._onCommand = function (this: Conn, command, callback) {
    const parser = this._parser;
    const ahead = (parser._linesAhead = Math.max(0, (parser._linesAhead ?? 1) - 1)) > 0;
    const verb = (command || '').toString().split(' ')[0]!.toUpperCase();
    if (parser._bareNewline) {
      parser._bareNewline = false;
      const refusal = this._server.options.onBareNewline?.(this);
      if (refusal) {
        this.send(refusal.responseCode, refusal.message);
        this.close();
        return callback();
      }
    }
    // Whatever was pipelined with DATA is message content, not commands still to come.
    if (verb === 'DATA') parser._linesAhead = 0;
    const answer = this._server.options.onCommand?.(this, verb, ahead);
    if (answer) {
      this.send(answer.responseCode, answer.message);
      return callback();
    }
    return originalOnCommand.call(this, command, callback);
  };

  // The command parser: count the lines each chunk brings (a command has input "ahead" of
  // its reply when more lines were already received), and notice bare <LF> terminators.
  const originalWrite = SMTPStream.prototype._write;
  SMTPStream.prototype._write = function (this: ParserState, chunk, enc, next) {
    if (!this._dataMode && chunk?.length) {
      let lines = 0;
      let prev = this._lastByte ?? -1;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (c === 0x0a) {
          lines++;
          if (prev !== 0x0d) this._bareNewline = true;
        }
        prev = c;
      }
      this._lastByte = prev;
      this._linesAhead = (this._linesAhead ?? 0) + lines;
    }
    return originalWrite.call(this, chunk, enc, next);
  };

  // ── 5. addresses Postfix accepts ──
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

  // ── 4. greeting ──
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
  const originalGreeting = proto._sendGreeting;
  proto._sendGreeting = function (this: Conn) {
    const text = this._server.options.greeting?.(this);
    if (text === undefined) return originalGreeting.call(this);
    originalSend.call(this, 220, text, false);
  };

  // ── 7. the end of data, found by a native search (data-scanner.ts) ──
  (SMTPStream.prototype as unknown as DataStreamState)._feedDataStream = feedDataStream;

  // ── 6. PROXY protocol from listed peers only ──
  const originalExpects = SMTPServer.prototype._expectsProxyHeader;
  SMTPServer.prototype._expectsProxyHeader = function (socket) {
    const decide = this.options.expectsProxy;
    if (!decide) return originalExpects.call(this, socket);
    return decide((socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
  };

  // ── 8. QUIT closes the channel once the 221 has left ──
  // smtp-server half-closes and reads on until the client's FIN, so a client that lingers
  // keeps its descriptor and its smtpd_client_connection_count_limit slot for up to 5 s,
  // and a client that closes without reading the 221 (smtp-source; Postfix's own client
  // with smtp_skip_quit_response) resets the connection, for which Node builds an error and
  // its source-mapped stack trace: ~4 % of the event loop under load. A plain socket whose
  // reply is already with the kernel is closed at once, as Postfix's smtpd does; with TLS,
  // or a reply still queued for a slow reader, smtp-server's orderly close stays.
  const originalQuit = proto.handler_QUIT;
  proto.handler_QUIT = function (this: Conn, command, callback) {
    originalQuit.call(this, command, callback);
    const socket = this._socket;
    if (!this.secure && !socket.destroyed && socket.writableLength === 0) socket.destroy();
  };
};

export const connectionOf = (session: object) => (session as Record<symbol, PatchedConnection | undefined>)[CONNECTION];

/** The peer the connection really came from (before XCLIENT/PROXY rewrote remoteAddress). */
export const originalPeer = (conn: PatchedConnection) => (conn._originalRemoteAddress ?? conn.remoteAddress ?? '').replace(/^::ffff:/, '');

