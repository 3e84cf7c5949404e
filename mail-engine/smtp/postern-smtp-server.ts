// smtp-server (version pinned in package.json), extended by subclassing: PosternServer builds
// PosternConnections (connect()), which build PosternStreams as their command parsers
// (_createParser()). Nothing is changed for any other SMTPServer in the process (a test's
// "remote MX" speaks smtp-server's own dialect). Each override asks the engine through
// `SmtpHooks`, so the engine decides and smtp-server only asks:
//  1. send(): a reply planned with planReply() (a SmtpError or a SmtpReply, whose enhanced
//     status code is a field) is sent with that code, so replies match Postfix's
//     ("554 5.7.1 <x>: Relay access denied") instead of smtp-server's code-based guess;
//     multi-line texts (smtpd_reject_footer) become multi-line replies; smtp-server's own
//     texts are replaced by Postfix's (SMTP_SERVER_TEXT). Every reply is reported to
//     `onReply`: each 4xx/5xx counts as an error, as in Postfix's smtpd.
//  2. _onCommand(): reported to `onCommand` with whether the client had already sent more
//     (pipelining ahead of the reply); a SmtpError it returns answers the command instead.
//  3. EHLO: keywords can be added after AUTH (`extraEhlo`) or removed (`ehloFilter`).
//  4. init()/_sendGreeting(): the greeting text and the early-talker pause come from hooks.
//  5. _parseAddressCommand(): envelope addresses smtp-server refuses but Postfix accepts and
//     then judges by policy (a quoted local part holding "@", a bare local part, a trailing
//     dot) are parsed through a placeholder and handed on verbatim.
//  6. The parser reports a command line ended by a bare <LF> (`onBareNewline`); the PROXY
//     header is expected from `expectsProxy` peers only.
//  7. In DATA, dot lines are found with Buffer#indexOf (data-scanner.ts), and each chunk of
//     content is reported (`onDataRead`: smtpd_timeout applies per read there, as in Postfix).
//  8. After the 221 to QUIT the channel is closed (RFC 5321 4.1.1.10), not half-closed.
// test/unit/mail-engine/smtp/smtp-server-extension.test.ts fails when an upgrade of
// smtp-server changes any member overridden here.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { feedDataStream } from './data-scanner';
import type { SmtpReply } from '../policy/types';
import type { SmtpError } from './smtp-error';

const require = createRequire(import.meta.url);

type Callback = () => void;

/** What PosternConnection uses of smtp-server's SMTPConnection (lib/smtp-connection.js). */
interface UpstreamConnection {
  session: SMTPServerSession;
  name: string;
  remoteAddress: string;
  secure: boolean;
  _closing: boolean;
  _closed: boolean;
  _originalRemoteAddress?: string;
  _socket: Socket;
  _parser: PosternStream;
  _server: PosternServer;
  on(event: string, fn: (...args: never[]) => void): this;
  init(): void;
  close(): void;
  send(code: number, data?: string | string[], context?: unknown): void;
  connectionReady(next?: Callback): void;
  _setListeners(callback: Callback): void;
  _sendGreeting(): void;
  _createParser(): PosternStream;
  _onCommand(command: Buffer | string, callback: Callback): void;
  handler_QUIT(command: Buffer | string, callback: Callback): void;
  _parseAddressCommand(name: string, command: string | Buffer): { address: string; args: unknown } | false;
}

/** What PosternStream uses of smtp-server's SMTPStream (lib/smtp-stream.js). */
interface UpstreamStream {
  oncommand: (command: Buffer, callback: Callback) => void;
  _dataMode: boolean;
  on(event: 'error', fn: (err: Error) => void): this;
  _write(chunk: Buffer, encoding: string, next: (err?: Error) => void): void;
  _feedDataStream(chunk: Buffer, done: (err?: Error) => void): void;
}

/** What PosternServer uses of smtp-server's SMTPServer. */
interface UpstreamServer {
  options: SMTPServerOptions & { maxCommandLength?: number; maxClients?: number };
  connections: Set<PosternConnection>;
  on(event: 'error', fn: (err: Error) => void): this;
  listen(...args: unknown[]): unknown;
  close(callback?: Callback): void;
  server: import('node:net').Server;
  connect(socket: Socket, socketOptions?: unknown): void;
  _onError(err: Error): void;
  _onClientConnect(data: unknown): void;
  _expectsProxyHeader(socket: { remoteAddress?: string }): boolean;
}

const { SMTPServer: ServerBase } = require('smtp-server') as { SMTPServer: new (options: SMTPServerOptions) => UpstreamServer };
const { SMTPConnection: ConnectionBase } = require('smtp-server/lib/smtp-connection.js') as {
  SMTPConnection: new (server: unknown, socket: Socket, options?: unknown) => UpstreamConnection;
};
const { SMTPStream: StreamBase } = require('smtp-server/lib/smtp-stream.js') as { SMTPStream: new (options?: { maxCommandLength?: number }) => UpstreamStream };

/** How the engine answers the questions the subclasses ask. */
export type SmtpHooks = {
  greetPauseMs(): number;
  /** The 220 text (smtpd_banner); undefined: smtp-server's own. */
  greeting?(conn: PosternConnection): string | undefined;
  onReply?(conn: PosternConnection, code: number): void;
  /** A chunk of message content arrived (DATA). */
  onDataRead?(conn: PosternConnection): void;
  /** Returning a SmtpError answers the command with it instead of running it. */
  onCommand?(conn: PosternConnection, verb: string, pipelinedAhead: boolean, line: string): SmtpError | undefined;
  /** Extra EHLO keywords after AUTH (broken_sasl_auth_clients: "AUTH=PLAIN LOGIN"). */
  extraEhlo?(conn: PosternConnection): string[];
  ehloFilter?(conn: PosternConnection, keyword: string): boolean;
  onBareNewline?(conn: PosternConnection): SmtpError | undefined;
  expectsProxy?(address: string): boolean;
};

/** smtp-server's own replies (code and text) → Postfix's. */
const SMTP_SERVER_TEXT: Record<string, SmtpReply | string> = {
  '250 Accepted': 'Ok',
  '250 Flushed': 'Ok',
  '250 OK': 'Ok',
  '221 Bye': 'Bye',
  '500 Error: command not recognized': { code: 502, enhanced: '5.5.2', text: 'Error: command not recognized' },
  '252 Try to send something. No promises though': 'Send some mail, I might try my best',
  '421 Timeout - closing connection': 'Error: timeout exceeded',
  '501 Error: Bad sender address syntax': 'Bad sender address syntax',
  '501 Error: Bad recipient address syntax': 'Bad recipient address syntax',
  '250 OK: message queued': 'Ok',
};

const CONNECTION = Symbol('postern.smtp-connection');

/** The command parser: counts the lines each chunk brings and notices bare <LF> terminators. */
export class PosternStream extends StreamBase {
  /** Lines received and not yet handed to a command handler. */
  linesAhead = 0;
  private lastByte = -1;
  /** The last command line ended with <LF> alone. */
  bareNewline = false;
  /** Called for every chunk of message content (the per-read DATA deadline). */
  onDataRead: (() => void) | undefined;

  override _write(chunk: Buffer, encoding: string, next: (err?: Error) => void) {
    if (this._dataMode) this.onDataRead?.();
    else if (chunk?.length) {
      let lines = 0;
      let prev = this.lastByte;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (c === 0x0a) {
          lines++;
          if (prev !== 0x0d) this.bareNewline = true;
        }
        prev = c;
      }
      this.lastByte = prev;
      this.linesAhead += lines;
    }
    super._write(chunk, encoding, next);
  }

  override _feedDataStream(chunk: Buffer, done: (err?: Error) => void) {
    feedDataStream.call(this as unknown as ThisParameterType<typeof feedDataStream>, chunk, done);
  }
}

export class PosternConnection extends ConnectionBase {
  /** A reply a handler is about to give through smtp-server, with its enhanced code. */
  private planned: SmtpReply | undefined;

  constructor(server: PosternServer, socket: Socket, options?: unknown) {
    super(server, socket, options);
    Object.defineProperty(this.session, CONNECTION, { value: this, enumerable: false });
  }

  private get hooks() {
    return this._server.hooks;
  }

  /**
   * The reply with this code and text, when smtp-server sends it, carries this enhanced status
   * code. A handler calls it just before it hands smtp-server an error or a message (which
   * smtp-server sends at once, or at the end of DATA once the message stream has ended).
   */
  planReply(reply: SmtpReply) {
    this.planned = reply;
  }

  /** Sends a reply with its own enhanced code (multi-line when the text has newlines). */
  reply(r: SmtpReply) {
    this.planReply(r);
    this.send(r.code, r.text);
  }

  override send(code: number, data?: string | string[], context?: unknown) {
    let reply: SmtpReply | undefined;
    const planned = this.planned;
    if (planned && planned.code === code && planned.text === data) {
      reply = planned;
      this.planned = undefined;
    } else if (typeof data === 'string') {
      // smtp-server's own SIZE= check, in Postfix's words.
      if (code === 552 && data.includes('exceeds fixed maximum message size')) reply = { code, enhanced: '5.3.4', text: 'Message size exceeds fixed limit' };
      const mapped = SMTP_SERVER_TEXT[`${code} ${data}`];
      if (typeof mapped === 'string') data = mapped;
      else if (mapped) reply = mapped;
    }
    if (code === 250 && Array.isArray(data)) data = this.ehloLines(data);
    if (reply) {
      const lines = reply.text.split('\n').map((l) => (reply.enhanced ? `${reply.enhanced} ${l}` : l));
      super.send(reply.code, lines.length > 1 ? lines : lines[0], false);
    } else {
      super.send(code, data, context);
    }
    this.hooks.onReply?.(this, reply?.code ?? code);
  }

  /** EHLO: the keywords the engine allows, and its extra ones after AUTH. */
  private ehloLines(lines: string[]) {
    const hooks = this.hooks;
    let out = lines.filter((l, i) => i === 0 || !hooks.ehloFilter || hooks.ehloFilter(this, l));
    const at = out.findIndex((l) => l.startsWith('AUTH '));
    const extra = at >= 0 ? hooks.extraEhlo?.(this) : undefined;
    if (extra?.length) out = [...out.slice(0, at + 1), ...extra, ...out.slice(at + 1)];
    return out;
  }

  override _onCommand(command: Buffer | string, callback: Callback) {
    const parser = this._parser;
    parser.linesAhead = Math.max(0, parser.linesAhead - 1);
    const ahead = parser.linesAhead > 0;
    const verb = (command || '').toString().split(' ')[0]!.toUpperCase();
    if (parser.bareNewline) {
      parser.bareNewline = false;
      const refusal = this.hooks.onBareNewline?.(this);
      if (refusal) {
        this.reply(refusal.reply);
        this.close();
        return callback();
      }
    }
    // Whatever was pipelined with DATA is message content, not commands still to come.
    if (verb === 'DATA') parser.linesAhead = 0;
    const answer = this.hooks.onCommand?.(this, verb, ahead, (command || '').toString());
    if (answer) {
      this.reply(answer.reply);
      return callback();
    }
    super._onCommand(command, callback);
  }

  override _createParser(): PosternStream {
    // As smtp-server's own, with a PosternStream.
    const parser = new PosternStream({ maxCommandLength: this._server.options.maxCommandLength });
    parser.oncommand = (command, callback) => this._onCommand(command, callback);
    parser.onDataRead = () => this.hooks.onDataRead?.(this);
    parser.on('error', (err) => this.send(421, 'Error: ' + err.message));
    return parser;
  }

  override _parseAddressCommand(name: string, command: string | Buffer) {
    const parsed = super._parseAddressCommand(name, command);
    if (parsed) return parsed;
    const raw = (command || '').toString();
    const m = /^([^:]*:\s*)<([^<>\s\x00-\x1f\x7f]+)>(.*)$/.exec(raw);
    if (!m) return false;
    const retry = super._parseAddressCommand(name, `${m[1]}<placeholder@placeholder.invalid>${m[3]}`);
    if (!retry) return false;
    return { ...retry, address: m[2]!.replace(/^@[^\s,:@]+(?:,@[^\s,:@]+)*:/, '') };
  }

  override init() {
    // As smtp-server's own, with the engine's early-talker pause instead of a fixed 100 ms.
    this._setListeners(() => {
      const { maxClients } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      const pause = this.hooks.greetPauseMs();
      if (pause <= 0) return this.connectionReady();
      setTimeout(() => this.connectionReady(), pause).unref();
    });
  }

  override _sendGreeting() {
    const text = this.hooks.greeting?.(this);
    if (text === undefined) return super._sendGreeting();
    super.send(220, text, false);
  }

  // smtp-server half-closes after the 221 and reads on until the client's FIN, so a client
  // that lingers keeps its descriptor and its connection-limit slot for up to 5 s, and a
  // client that closes without reading the 221 (smtp-source) resets the connection, for
  // which Node builds an error and its stack trace. A plain socket whose reply is with the
  // kernel is closed at once, as Postfix's smtpd does; with TLS, or a reply still queued for
  // a slow reader, smtp-server's orderly close stays.
  override handler_QUIT(command: Buffer | string, callback: Callback) {
    super.handler_QUIT(command, callback);
    const socket = this._socket;
    if (!this.secure && !socket.destroyed && socket.writableLength === 0) socket.destroy();
  }

  /** The peer the connection really came from (before XCLIENT/PROXY rewrote remoteAddress). */
  get originalPeer() {
    return (this._originalRemoteAddress ?? this.remoteAddress ?? '').replace(/^::ffff:/, '');
  }
}

export class PosternServer extends ServerBase {
  constructor(
    options: SMTPServerOptions,
    readonly hooks: SmtpHooks,
  ) {
    super(options);
  }

  override connect(socket: Socket, socketOptions?: unknown) {
    // As smtp-server's own, with a PosternConnection.
    const connection = new PosternConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data: unknown) => this._onClientConnect(data));
    connection.init();
  }

  override _expectsProxyHeader(socket: { remoteAddress?: string }) {
    const decide = this.hooks.expectsProxy;
    if (!decide) return super._expectsProxyHeader(socket);
    return decide((socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
  }
}

/** The connection a session belongs to (undefined for a session of another server). */
export const connectionOf = (session: object) => (session as Record<symbol, PosternConnection | undefined>)[CONNECTION];
