// The transports a queued recipient is handed to (Postfix's local/virtual, lmtp and smtp
// delivery agents): each takes a message and its recipients and returns one DeliveryOutcome
// per recipient. They read the policy's compiled delivery settings, never raw parameters.
import type { Resolver } from 'node:dns/promises';
import type { Policy } from '../policy/policy';
import type { DeliveryOutcome } from '../delivery/classify-reply';
import type { MaildirWriter } from '../delivery/deliver-maildir';
import { lookupTargets, type SmtpClient, type SmtpTarget } from '../delivery/deliver-smtp';
import { destinationLimit } from './routing';
import type { MessageBody } from '../store/message-body';

export type Outcomes = Map<string, DeliveryOutcome>;

/** What local delivery adds on top of the message, as Postfix's local(8) and virtual(8) do. */
export const deliveryHeaders = (sender: string, mailbox: string) => `Return-Path: <${sender}>\r\nDelivered-To: ${mailbox}\r\n`;

const unknownUser = (localPart: string): DeliveryOutcome => ({ kind: 'bounced', dsn: '5.1.1', text: `unknown user: "${localPart}"`, relay: 'local' });

export const createTransports = (deps: { maildir: MaildirWriter; smtp: SmtpClient; resolver: Resolver }) => {
  /** Maildir: one recipient, looked up in the policy's user table at delivery time. */
  const local = async (policy: Policy, sender: string, address: string, body: MessageBody): Promise<Outcomes> => {
    const resolved = policy.resolve(address);
    const box = policy.mailbox(resolved.address);
    if (!box) return new Map([[address, unknownUser(resolved.localPart)]]);
    return new Map([[address, await deps.maildir.deliver(resolved.address, deliveryHeaders(sender, resolved.address), body, box.quotaBytes)]]);
  };

  /** LMTP to the local_transport server (Dovecot). */
  const lmtp = (policy: Policy, sender: string, to: string[], body: MessageBody): Promise<Outcomes> => {
    const t = policy.localTransport;
    const dest = t.kind === 'lmtp' ? ('socketPath' in t ? { socketPath: t.socketPath } : { host: t.host, port: t.port }) : { host: '127.0.0.1', port: 24 };
    return deps.smtp.send({ targets: [dest], from: sender, to, message: body, heloName: policy.myhostname, tls: 'none', lmtp: true });
  };

  /** SMTP to the next hop: the relayhost, or the domain's MX hosts. */
  const smtp = async (policy: Policy, hop: string, sender: string, to: string[], body: MessageBody): Promise<Outcomes> => {
    const { relayhost, smtpPort, tlsLevel } = policy.delivery;
    let targets: SmtpTarget[];
    try {
      if (relayhost) targets = relayhost.mxLookup ? await lookupTargets(deps.resolver, relayhost.host, relayhost.port) : [{ host: relayhost.host, port: relayhost.port }];
      else targets = await lookupTargets(deps.resolver, hop, smtpPort);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const outcome: DeliveryOutcome =
        code === 'NULLMX'
          ? { kind: 'bounced', dsn: '5.1.10', text: (e as Error).message, relay: 'none' }
          : { kind: 'deferred', dsn: '4.4.3', text: `Host or domain name not found. Name service error for name=${hop}: ${(e as Error).message}`, relay: 'none' };
      return new Map(to.map((r) => [r, outcome]));
    }
    return deps.smtp.send({ targets, from: sender, to, message: body, heloName: policy.myhostname, tls: tlsLevel, resolver: deps.resolver, maxConnections: destinationLimit(policy, hop) });
  };

  return { local, lmtp, smtp, close: () => deps.smtp.close() };
};

export type Transports = ReturnType<typeof createTransports>;
