// The compiled policy's shape: what the compiler (compile-policy.ts) produces and everything
// else reads — the evaluator, the restrictions, the SMTP engine, the queue, the console.
// Types only, so every arrow in mail-engine/policy points here and none points back.
import type { ResolvedAddress } from './address';
import type { CidrMatcher } from './match/cidr';
import type { DomainMatcher } from './match/domain';
import type { ParameterValues, StageContext, Verdict } from './types';

/** A console-managed access table (check_*_access): key → action. */
export type AccessTable = ReadonlyMap<string, string>;

export type ListName =
  | 'smtpd_client_restrictions'
  | 'smtpd_helo_restrictions'
  | 'smtpd_sender_restrictions'
  | 'smtpd_relay_restrictions'
  | 'smtpd_recipient_restrictions'
  | 'smtpd_data_restrictions'
  | 'smtpd_end_of_data_restrictions';

export type RestrictionContext = {
  policy: Policy;
  ctx: StageContext;
  list: ListName;
  arg?: string;
  /** What a generic reject names and calls it: "<unknown[1.2.3.4]>" / "Client host". */
  replyName: string;
  replyClass: string;
};

/** Facts about restrictions that evaluate to DUNNO still belong in the trace. */
export type TracedVerdict = { verdict: Verdict; fact: string };
export type TracedRestriction = (r: RestrictionContext) => TracedVerdict;

export type CompiledRestriction = {
  name: string;
  arg?: string;
  /** How the trace names it: "name" or "name arg" (made once here, not per decision). */
  label: string;
  fn: TracedRestriction;
};

export type Policy = {
  readonly revision: number;
  /** Every registry parameter, expanded (explicit value or default). */
  readonly params: ParameterValues;
  /** Only the explicitly set parameters, unexpanded, as stored. */
  readonly explicit: Readonly<Record<string, string>>;
  readonly compatLevel: number;
  readonly myhostname: string;
  readonly mydomain: string;
  readonly myorigin: string;
  readonly localDomains: DomainMatcher;
  readonly relayDomains: DomainMatcher;
  readonly mynetworks: CidrMatcher;
  readonly mynetworksSource: 'mynetworks' | `mynetworks_style = ${string}`;
  readonly parentMatches: ReadonlySet<string>;
  readonly lists: Readonly<Record<ListName, readonly CompiledRestriction[]>>;
  readonly relayBeforeRecipient: boolean;
  readonly delayReject: boolean;
  readonly heloRequired: boolean;
  readonly rejectUnlistedRecipient: boolean;
  readonly allowUntrustedRouting: boolean;
  readonly accessTables: ReadonlyMap<string, AccessTable>;
  /** Network keys of the access tables, for client lookups. */
  readonly accessNetworks: ReadonlyMap<string, { matcher: CidrMatcher; actions: readonly string[] }>;
  readonly senderOwners: ReadonlyMap<string, ReadonlySet<string>>;
  readonly codes: {
    relay: number; reject: number; defer: number; accessReject: number; accessDefer: number;
    unknownLocalRecipient: number; unknownAddress: number; nonFqdn: number; rbl: number;
  };
  readonly sasl: { enabled: boolean; noanonymous: boolean; noplaintext: boolean; tlsAuthOnly: boolean; brokenClients: boolean; localDomain: string };
  readonly limits: {
    messageSizeLimit: number; queueMinfree: number; recipientLimit: number; recipientOvershootLimit: number; errorSleepMs: number; softErrorLimit: number; hardErrorLimit: number; junkCommandLimit: number;
    commandTimeoutMs: number; sessionDeadlineMs: number; greetPauseMs: number; authFailureLimit: number; authFailureWindowMs: number;
    clientConnectionLimit: number; clientRateLimit: number;
  };
  /** Peers allowed XCLIENT, XFORWARD, and expected to send a PROXY header (CIDR lists). */
  readonly proxies: { xclient: CidrMatcher; xforward: CidrMatcher; proxyProtocol: CidrMatcher };
  /** smtpd_forbid_bare_newline = reject: a command line ended by a bare <LF> disconnects. */
  readonly rejectBareNewline: boolean;
  /** local_transport: Postern's Maildir delivery, or LMTP to a server (Dovecot). */
  readonly localTransport: LocalTransport;
  /** Everything the queue and its transports read, parsed and checked at compile time. */
  readonly delivery: DeliverySettings;
  /** The listeners: bind addresses (inet_interfaces × inet_protocols) and ports per service. */
  readonly listen: ListenSettings;
  /** smtpd_banner (the 220 text), mail_name, and the certificate files (empty: self-signed). */
  readonly identity: { banner: string; mailName: string; tlsCertFile: string; tlsKeyFile: string };
  readonly disableVrfy: boolean;
  /** Whether cleanup adds a missing Message-Id:/Date: for this client (local_header_rewrite_clients). */
  headerRewrite(client: { address: string; authenticated: boolean }): boolean;
  readonly rejectFooter: string;
  /** DNS facts the engine must fetch before evaluating (the evaluator itself does no I/O). */
  readonly needs: { senderDomainDns: boolean; rblZones: readonly string[] };
  isLocalRecipient(address: string): boolean;
  /** virtual_alias_maps-style expansion: address → its targets (undefined when not an alias). */
  aliasTargets(address: string): readonly string[] | undefined;
  /** An active user's mailbox (quota 0 = unlimited), or undefined: local delivery's user table. */
  mailbox(address: string): { quotaBytes: number } | undefined;
  resolve(address: string): ResolvedAddress;
};

export type LocalTransport = { kind: 'maildir' } | { kind: 'lmtp'; host: string; port: number } | { kind: 'lmtp'; socketPath: string };


/** A next hop as relayhost writes it: [host]:port skips the MX lookup. */
export type NextHop = { spec: string; host: string; port: number; mxLookup: boolean };

export type DeliverySettings = {
  /** relayhost; undefined: deliver by the recipient domain's MX. */
  relayhost: NextHop | undefined;
  /** smtp_tcp_port as a number. */
  smtpPort: number;
  /** smtp_tls_security_level. */
  tlsLevel: 'none' | 'may' | 'encrypt';
  /** Concurrent deliveries per destination: local domain, the LMTP server, an SMTP next hop. */
  concurrency: { local: number; lmtp: number; default: number };
  retry: { minimalBackoffS: number; maximalBackoffS: number; maximalQueueLifetimeS: number };
  /** postern_queue_lease_time and postern_record_retry_time, in milliseconds. */
  leaseMs: number;
  recordRetryMs: number;
};

export type ListenService = 'smtpd' | 'submission' | 'submissions';

export type ListenSettings = {
  addresses: readonly string[];
  ports: Readonly<Record<ListenService, number>>;
};

