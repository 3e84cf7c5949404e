// One smtp-server instance per service (smtpd, submission, submissions), wired to the stage
// handlers. No policy logic here: the callbacks adapt smtp-server's style to async stage
// functions once, and every error reaching a callback is a SmtpError (never a bare 550).
// The options read by patch-smtp-server.ts are answered from the session's pinned policy.
import { createRequire } from 'node:module';
import type { SMTPServer as SMTPServerType, SMTPServerOptions } from 'smtp-server';
import { checkData, offeredMechanisms } from '../policy/check-stage';
import type { Policy } from '../policy/compile-policy';
import type { EngineContext } from './engine-context';
import { connectionOf, originalPeer, patchSmtpServer, type PatchedConnection } from './patch-smtp-server';
import { count, formatCounts, getState, hasState, sessionFacts, type Service } from './session-state';
import { asSmtpError, SmtpError } from './smtp-error';
import { onAuth } from './stages/on-auth';
import { onConnect } from './stages/on-connect';
import { onData } from './stages/on-data';
import { onMailFrom } from './stages/on-mail-from';
import { onRcptTo } from './stages/on-rcpt-to';
import type { TlsMaterial } from './tls';

patchSmtpServer();
// The CommonJS build on purpose: it is the one patch-smtp-server.ts adjusts (an ESM import
// would load a second, unpatched copy of the connection class).
const { SMTPServer } = createRequire(import.meta.url)('smtp-server') as { SMTPServer: typeof SMTPServerType };
type SMTPServer = SMTPServerType;

type Cb<T = void> = (err?: Error | null, value?: T) => void;
const adapt = <T>(p: Promise<T>, cb: Cb<T>) => void p.then((v) => cb(null, v), (e: unknown) => cb(asSmtpError(e)));

/** Commands disabled for a session: AUTH when SASL is off, or before TLS with smtpd_tls_auth_only. */
const disabledFor = (policy: Policy | undefined, service: Service, secure: boolean) => {
  const disabled: string[] = [];
  const mustTls = service === 'submission' || policy?.sasl.tlsAuthOnly;
  if (!policy || !offeredMechanisms(policy, secure || !mustTls).length || (mustTls && !secure)) disabled.push('AUTH');
  return disabled;
};

/**
 * Commands a client may not pipeline past: it must wait for their reply (RFC 2920). QUIT,
 * the last command, is one too, but nothing sent after it counts against the client.
 */
const SYNC_POINTS = new Set(['HELO', 'EHLO', 'DATA', 'STARTTLS', 'AUTH']);

export type SmtpServerHandle = { server: SMTPServer; service: Service; updatePolicy(p: Policy): void };

export const createSmtpServer = (ctx: EngineContext, service: Service, tls: TlsMaterial | undefined): SmtpServerHandle => {
  const policy0 = ctx.cache.policy;
  const policyOf = (conn: PatchedConnection) => (hasState(conn.session) ? getState(conn.session).policy : undefined) ?? ctx.cache.policy;
  const closeWith = (conn: PatchedConnection, code: number, enhanced: string, text: string) => {
    if (conn._closing || conn._closed) return;
    conn.send(code, new SmtpError(code, enhanced, text).message);
    conn.close();
  };
  const armDeadline = (conn: PatchedConnection) => {
    if (!hasState(conn.session)) return;
    const state = getState(conn.session);
    if (state.deadline) clearTimeout(state.deadline);
    const ms = state.policy?.limits.commandTimeoutMs ?? 300_000;
    state.deadline = setTimeout(() => {
      ctx.logger.emit({ event: 'smtp.lost_connection', clientAddress: state.clientAddress, clientName: state.clientName, detail: { after: 'timeout' } });
      closeWith(conn, 421, '4.4.2', `${state.policy?.myhostname ?? 'localhost'} Error: timeout exceeded`);
    }, ms);
    state.deadline.unref();
  };
  const peerAllowed = (conn: PatchedConnection, which: 'xclient' | 'xforward') => policyOf(conn)?.proxies[which].match(originalPeer(conn)).matched ?? false;

  const options: SMTPServerOptions & Record<string, unknown> = {
    name: policy0?.myhostname ?? 'localhost',
    banner: policy0?.params.mail_name ?? 'Postern',
    heloResponse: '%s',
    secure: service === 'submissions',
    key: tls?.key,
    cert: tls?.cert,
    minVersion: 'TLSv1.2',
    hideSTARTTLS: !tls,
    hideDSN: true,
    hideENHANCEDSTATUSCODES: false,
    hideREQUIRETLS: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    // XCLIENT/XFORWARD stay on in smtp-server; onCommand and ehloFilter admit only the
    // peers in smtpd_authorized_xclient_hosts / smtpd_authorized_xforward_hosts.
    useXClient: true,
    useXForward: true,
    size: policy0?.limits.messageSizeLimit || undefined,
    socketTimeout: policy0?.limits.commandTimeoutMs ?? 300_000,
    closeTimeout: 5_000,
    maxClients: 5_000,
    logger: false,
    greetPauseMs: policy0?.limits.greetPauseMs ?? 0,
    greeting: (conn: PatchedConnection) => policyOf(conn)?.params.smtpd_banner ?? `${conn.name} ESMTP Postern`,
    expectsProxy: (address: string) => ctx.cache.policy?.proxies.proxyProtocol.match(address).matched ?? false,
    ehloFilter: (conn: PatchedConnection, keyword: string) => {
      if (keyword.startsWith('XCLIENT')) return peerAllowed(conn, 'xclient');
      if (keyword.startsWith('XFORWARD')) return peerAllowed(conn, 'xforward');
      return true;
    },
    onBareNewline: (conn: PatchedConnection) => {
      const policy = policyOf(conn);
      if (!policy?.rejectBareNewline) return undefined;
      if (hasState(conn.session)) {
        const state = getState(conn.session);
        ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'CONNECT', clientAddress: state.clientAddress, clientName: state.clientName, code: 521, enhanced: '5.5.2', text: 'Error: bare <LF> received', lookupId: state.lookupId });
      }
      return new SmtpError(521, '5.5.2', `${policy.myhostname} Error: bare <LF> received`);
    },
    onReply: (conn: PatchedConnection, code: number) => {
      if (!hasState(conn.session) || code < 400 || code === 421) return;
      const state = getState(conn.session);
      state.errors++;
      const hard = state.policy?.limits.hardErrorLimit ?? 20;
      if (state.errors >= hard && !state.closedForErrors) {
        state.closedForErrors = true;
        ctx.logger.emit({ event: 'smtp.too_many_errors', status: 'rejected', clientAddress: state.clientAddress, clientName: state.clientName, lookupId: state.lookupId, detail: { after: state.lastVerb ?? 'CONNECT' } });
        setImmediate(() => closeWith(conn, 421, '4.7.0', `${state.policy?.myhostname ?? 'localhost'} Error: too many errors`));
      }
    },
    onCommand: (conn: PatchedConnection, verb: string, ahead: boolean): SmtpError | undefined => {
      if (!hasState(conn.session)) return undefined;
      const state = getState(conn.session);
      state.commands++;
      state.lastVerb = verb;
      armDeadline(conn);
      // reject_unauth_pipelining: input that arrived before a reply the client had to wait for.
      if (ahead && SYNC_POINTS.has(verb)) state.pipelinedEarly = true;
      if (verb === 'HELO' || verb === 'EHLO' || verb === 'QUIT' || verb === 'RSET' || verb === 'NOOP' || verb === 'STARTTLS') count(state, verb.toLowerCase(), true);
      if (verb === 'VRFY' && state.policy?.disableVrfy) return new SmtpError(502, '5.5.1', 'VRFY command is disabled');
      if ((verb === 'XCLIENT' || verb === 'XFORWARD') && !peerAllowed(conn, verb === 'XCLIENT' ? 'xclient' : 'xforward')) {
        return new SmtpError(550, '5.7.0', 'Error: insufficient authorization');
      }
      if (verb === 'DATA') return dataCommand(conn);
      return undefined;
    },
    extraEhlo: (conn: PatchedConnection) => (policyOf(conn)?.sasl.brokenClients ? ['AUTH=PLAIN LOGIN'] : []),
    onConnect: (session, cb) =>
      adapt(
        (async () => {
          await onConnect(ctx, service, session);
          const state = getState(session);
          session.disabledCommands = disabledFor(state.policy, service, !!session.secure);
          const conn = connectionOf(session);
          if (conn) {
            armDeadline(conn);
            state.sessionDeadline = setTimeout(() => closeWith(conn, 421, '4.4.2', `${state.policy?.myhostname} Error: session time limit exceeded`), state.policy?.limits.sessionDeadlineMs ?? 3_600_000);
            state.sessionDeadline.unref();
          }
        })(),
        cb,
      ),
    onSecure: (_socket, session, cb) => {
      if (hasState(session)) session.disabledCommands = disabledFor(getState(session).policy, service, true);
      cb();
    },
    onAuth: (auth, session, cb) => adapt(onAuth(ctx, auth, session), cb),
    onMailFrom: (address, session, cb) => adapt(onMailFrom(ctx, address, session), cb),
    onRcptTo: (address, session, cb) => adapt(onRcptTo(ctx, address, session), cb),
    onData: (stream, session, cb) => adapt(onData(ctx, stream, session), cb as Cb<string>),
    onClose: (session) => {
      if (!hasState(session)) return;
      const state = getState(session);
      if (state.deadline) clearTimeout(state.deadline);
      if (state.sessionDeadline) clearTimeout(state.sessionDeadline);
      const open = (ctx.perClient.get(state.connectedFrom) ?? 1) - 1;
      if (open <= 0) ctx.perClient.delete(state.connectedFrom);
      else ctx.perClient.set(state.connectedFrom, open);
      ctx.logger.emit({ event: 'smtp.disconnect', status: 'info', clientAddress: state.clientAddress, clientName: state.clientName, lookupId: state.lookupId, detail: { counts: formatCounts(state) } });
    },
  };

  /**
   * DATA, before the 354: smtp-server has no hook here, so smtpd_data_restrictions
   * (reject_unauth_pipelining is classically listed there) run from onCommand and a refusal
   * answers the command instead of letting the client send its message.
   */
  const dataCommand = (conn: PatchedConnection): SmtpError | undefined => {
    const session = conn.session as unknown as import('smtp-server').SMTPServerSession;
    const state = getState(session);
    const policy = state.policy;
    // Without a recipient smtp-server answers "503 need RCPT command" itself.
    if (!policy || !session.envelope?.rcptTo?.length) return undefined;
    const facts = sessionFacts(state, session);
    const d = checkData(policy, facts);
    if (d.action === 'accept') return undefined;
    count(state, 'data', false);
    ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'DATA', clientAddress: state.clientAddress, clientName: state.clientName, helo: session.hostNameAppearsAs, sender: facts.sender, code: d.reply.code, enhanced: d.reply.enhanced, text: d.reply.text, trace: d.trace, lookupId: state.lookupId });
    return SmtpError.from(d.reply);
  };

  const server = new SMTPServer(options);
  server.on('error', (e) => process.stderr.write(`postern: ${service}: ${e.message}\n`));
  return {
    server,
    service,
    updatePolicy: (p) => {
      const o = (server as unknown as { options: Record<string, unknown> }).options;
      o.name = p.myhostname;
      o.banner = p.params.mail_name;
      o.size = p.limits.messageSizeLimit || undefined;
      o.socketTimeout = p.limits.commandTimeoutMs;
      o.greetPauseMs = p.limits.greetPauseMs;
    },
  };
};
