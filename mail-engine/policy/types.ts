// Pure policy types shared by the compiler, the evaluator, the engine and the console.
// A Verdict is Postfix's tri-state (DUNNO / OK / REJECT, plus DEFER for 4xx) as a value;
// every decision carries a trace of the facts that led to it.

export type SmtpReply = { code: number; enhanced: string; text: string };

export type TraceStep = { list?: string; restriction?: string; fact: string };

export type Verdict =
  | { kind: 'dunno' }
  | { kind: 'ok'; by: string; fact: string }
  | { kind: 'reject'; by: string; fact: string; reply: SmtpReply }
  | { kind: 'defer'; by: string; fact: string; reply: SmtpReply };

export type Stage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'auth' | 'data';

/** What a decision accepted, refused or deferred, and why. */
export type Decision = {
  stage: Stage;
  action: 'accept' | 'reject' | 'defer';
  reply: SmtpReply;
  trace: TraceStep[];
  /** The restriction that decided, for the log's `by` field; '' when nothing did. */
  by: string;
};

/** DNS answers the engine fetched before asking the (synchronous, pure) evaluator. */
export type DnsFacts = {
  /** reject_unknown_sender_domain: does the sender domain have an A, AAAA or MX record? */
  senderDomain?: 'ok' | 'not-found' | 'tempfail';
  /** reject_rbl_client: per zone, the A records returned for the reversed client address. */
  rbl?: Record<string, { addresses: string[]; text?: string } | 'tempfail'>;
};

/** Everything the restrictions may look at; built by the SMTP stage handlers or the tester. */
/** Results of the checks on arrival (SPF, DKIM, DMARC, ARC), for the end-of-data restrictions. */
export type AuthFacts = {
  spf: { result: string; domain: string; text: string };
  dkim: { result: string; domain: string; selector: string; aligned: boolean; text: string }[];
  dmarc: { result: string; domain: string; policy: string; pct: number; text: string; record: string } | null;
  arc: { result: string } | null;
  fromDomain: string;
  /** 0–99, drawn once per message: DMARC's pct= applies the policy when it is below pct. */
  sample: number;
};

export type StageContext = {
  clientAddress: string;
  clientName: string; // 'unknown' when reverse DNS failed, as Postfix logs it
  helo?: string;
  saslUser?: string;
  sender?: string; // MAIL FROM address, '' for the null sender
  recipient?: string;
  /** reject_unauth_pipelining: the client sent commands before it could know the reply. */
  pipelinedEarly?: boolean;
  dns?: DnsFacts;
  lookupId?: string;
  /** At end of DATA, for untrusted unauthenticated clients: what SPF, DKIM, DMARC and ARC said. */
  auth?: AuthFacts;
};

/** Resolved parameter values (after $name expansion), keyed by postconf(5) name. */
export type ParameterValues = Readonly<Record<string, string>>;

/** The plain rows the compiler takes (from the database, a main.cf import, or a test). */
export type PolicyRows = {
  settings: Record<string, string>;
  domains: { name: string; kind: 'LOCAL' | 'RELAY'; active: boolean }[];
  networks: { cidr: string }[];
  users: { address: string; active: boolean; hasMailbox: boolean; quotaBytes?: number }[];
  aliases: { address: string; target: string; active?: boolean }[];
  accessEntries: { table: string; key: string; action: string }[];
  /** Interface addresses of this host, for mynetworks_style and [address] literals. */
  hostAddresses: { address: string; prefix: number }[];
  revision: number;
};

export type PolicyError = { parameter: string; message: string; line?: number };
