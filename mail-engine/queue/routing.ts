// Routing (Postfix's qmgr with trivial-rewrite's answers): a queued message's recipients
// become delivery tasks — one per local recipient (Maildir or LMTP), one per next hop for
// the rest (all its recipients in one SMTP transaction) — each with the destination its
// concurrency is limited by. Pure: the task's `run` is bound to a transport by the caller.
import type { Policy } from '../policy/policy';
import type { QueuedMessage, QueuedRecipient } from '../store/queue-store';

export type Route =
  | { transport: 'local'; destination: string; recipients: [QueuedRecipient] }
  | { transport: 'lmtp'; destination: 'lmtp'; recipients: [QueuedRecipient] }
  | { transport: 'smtp'; destination: string; hop: string; recipients: QueuedRecipient[] }
  | { transport: 'missing-body'; destination: 'qmgr'; recipients: QueuedRecipient[] };

/**
 * Destinations: "local:<domain>" (the Maildir transport, limited per domain like Postfix's
 * virtual(8): virtual_destination_concurrency_limit), "lmtp" (lmtp_destination_concurrency_limit),
 * or an SMTP next hop (default_destination_concurrency_limit).
 */
export const destinationLimit = (policy: Policy | undefined, destination: string) => {
  const c = policy?.delivery.concurrency;
  if (!c) return 20;
  return destination.startsWith('local:') ? c.local : destination === 'lmtp' ? c.lmtp : c.default;
};

export const routeMessage = (policy: Policy, m: QueuedMessage): Route[] => {
  if (!m.body) return [{ transport: 'missing-body', destination: 'qmgr', recipients: m.recipients }];
  const routes: Route[] = [];
  const remote = new Map<string, QueuedRecipient[]>();
  const lmtp = policy.localTransport.kind === 'lmtp';
  for (const r of m.recipients) {
    const resolved = policy.resolve(r.address);
    if (resolved.addressClass === 'local') {
      routes.push(lmtp ? { transport: 'lmtp', destination: 'lmtp', recipients: [r] } : { transport: 'local', destination: `local:${resolved.domain}`, recipients: [r] });
      continue;
    }
    const hop = policy.delivery.relayhost?.spec ?? resolved.domain;
    const list = remote.get(hop);
    if (list) list.push(r);
    else remote.set(hop, [r]);
  }
  for (const [hop, recipients] of remote) routes.push({ transport: 'smtp', destination: hop, hop, recipients });
  return routes;
};
