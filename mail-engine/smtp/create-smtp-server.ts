// One PosternServer per service (smtpd, submission, submissions), wired to the stage
// handlers. Wiring only: smtp-server's options, the hooks PosternServer asks, and one
// adapter from smtp-server's callbacks to the async stage functions, through which every
// error reaching smtp-server is a SmtpError (never a bare 550) whose enhanced code the
// connection sends. The hooks are answered from the session's pinned policy.
import type { TLSSocket } from 'node:tls';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { offeredMechanisms } from '../policy/check-stage';
import type { Policy } from '../policy/policy';
import type { SmtpReply } from '../policy/types';
import { armCommandDeadline, armSessionDeadline, extendCommandDeadline } from './deadlines';
import type { EngineContext } from './engine-context';
import { connectionOf, PosternServer, type SmtpHooks } from './postern-smtp-server';
import { getState, hasState, type Service } from './session-state';
import { asSmtpError } from './smtp-error';
import { onAuth } from './stages/on-auth';
import { onClose } from './stages/on-close';
import { onBareNewline, onCommand, onReply, peerAllowed, policyOf } from './stages/on-command';
import { onConnect } from './stages/on-connect';
import { onData } from './stages/on-data';
import { onMailFrom } from './stages/on-mail-from';
import { onRcptTo } from './stages/on-rcpt-to';
import type { TlsMaterial } from './tls';

type Cb<T = void> = (err?: Error | null, value?: T) => void;

/** Runs a stage; its SmtpError (or any fault, as 451) is planned on the connection, then handed to smtp-server. */
const adapt = <T>(session: SMTPServerSession, p: Promise<T>, cb: Cb<T>) =>
  void p.then(
    (v) => cb(null, v),
    (e: unknown) => {
      const err = asSmtpError(e);
      connectionOf(session)?.planReply(err.reply);
      cb(err);
    },
  );

/** A stage's own reply (250 queued, 535 failed) given through smtp-server's success path. */
const planned = (session: SMTPServerSession, reply: SmtpReply) => {
  connectionOf(session)?.planReply(reply);
  return reply.text;
};

/** Commands disabled for a session: AUTH when SASL is off, or before TLS with smtpd_tls_auth_only. */
/** Postfix's line for a TLS session ("Anonymous": no client certificate was asked for). */
export const tlsEstablished = (socket: TLSSocket, client: string) => {
  const cipher = socket.getCipher?.();
  const name = cipher?.standardName ?? cipher?.name ?? 'unknown';
  const bits = /256|CHACHA20/.test(name) ? 256 : /128/.test(name) ? 128 : 0;
  return `Anonymous TLS connection established from ${client}: ${socket.getProtocol?.() ?? 'TLS'} with cipher ${name} (${bits}/${bits} bits)`;
};

const disabledFor = (policy: Policy | undefined, service: Service, secure: boolean) => {
  const disabled: string[] = [];
  const mustTls = service === 'submission' || policy?.sasl.tlsAuthOnly;
  if (!policy || !offeredMechanisms(policy, secure || !mustTls).length || (mustTls && !secure)) disabled.push('AUTH');
  return disabled;
};

export type SmtpServerHandle = { server: PosternServer; service: Service; updatePolicy(p: Policy): void };

export const createSmtpServer = (ctx: EngineContext, service: Service, tls: TlsMaterial | undefined): SmtpServerHandle => {
  const policy0 = ctx.cache.policy;
  let greetPauseMs = policy0?.limits.greetPauseMs ?? 0;

  const hooks: SmtpHooks = {
    greetPauseMs: () => greetPauseMs,
    greeting: (conn) => policyOf(ctx, conn)?.identity.banner ?? `${conn.name} ESMTP Postern`,
    expectsProxy: (address) => ctx.cache.policy?.proxies.proxyProtocol.match(address).matched ?? false,
    ehloFilter: (conn, keyword) => {
      if (keyword.startsWith('XCLIENT')) return peerAllowed(ctx, conn, 'xclient');
      if (keyword.startsWith('XFORWARD')) return peerAllowed(ctx, conn, 'xforward');
      return true;
    },
    extraEhlo: (conn) => (policyOf(ctx, conn)?.sasl.brokenClients ? ['AUTH=PLAIN LOGIN'] : []),
    onBareNewline: (conn) => onBareNewline(ctx, conn),
    onReply: (conn, code) => onReply(ctx, conn, code),
    onDataRead: (conn) => extendCommandDeadline(conn),
    onCommand: (conn, verb, ahead, line) => onCommand(ctx, conn, verb, ahead, line),
  };

  const options: SMTPServerOptions = {
    name: policy0?.myhostname ?? 'localhost',
    banner: policy0?.identity.mailName ?? 'Postern',
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
    onConnect: (session, cb) =>
      adapt(
        session,
        (async () => {
          await onConnect(ctx, service, session);
          const state = getState(session);
          session.disabledCommands = disabledFor(state.policy, service, !!session.secure);
          const conn = connectionOf(session);
          if (conn) {
            armCommandDeadline(ctx, conn);
            armSessionDeadline(conn, state);
          }
        })(),
        cb,
      ),
    onSecure: (socket, session, cb) => {
      if (hasState(session)) {
        const state = getState(session);
        session.disabledCommands = disabledFor(state.policy, service, true);
        ctx.logger.raw('smtpd', tlsEstablished(socket as TLSSocket, `${state.clientName}[${state.clientAddress}]`));
      }
      cb();
    },
    onAuth: (auth, session, cb) =>
      adapt(
        session,
        onAuth(ctx, auth, session).then((r) => ('user' in r ? r : { message: planned(session, r), responseCode: r.code })),
        cb,
      ),
    onMailFrom: (address, session, cb) => adapt(session, onMailFrom(ctx, address, session), cb),
    onRcptTo: (address, session, cb) => adapt(session, onRcptTo(ctx, address, session), cb),
    onData: (stream, session, cb) => adapt(session, onData(ctx, stream, session).then((r) => planned(session, r)), cb as Cb<string>),
    onClose: (session) => onClose(ctx, session),
  };

  const server = new PosternServer(options, hooks);
  server.on('error', (e) => process.stderr.write(`postern: ${service}: ${e.message}\n`));
  return {
    server,
    service,
    updatePolicy: (p) => {
      const o = server.options;
      o.name = p.myhostname;
      o.banner = p.identity.mailName;
      o.size = p.limits.messageSizeLimit || undefined;
      o.socketTimeout = p.limits.commandTimeoutMs;
      greetPauseMs = p.limits.greetPauseMs;
    },
  };
};
