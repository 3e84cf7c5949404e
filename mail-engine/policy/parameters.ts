// The parameter registry: every main.cf parameter Postern understands, with its
// postconf(5) name, type, default and one-line doc (shown as help in the console).
// Defaults that depend on compatibility_level are functions of it, exactly as
// `postconf -d` prints them for Postfix 3.7. Pure data; no I/O.

export type ParamType = 'string' | 'list' | 'bool' | 'int' | 'size' | 'time' | 'enum' | 'restrictions';
export type ParamGroup = 'identity' | 'network' | 'relay' | 'sasl' | 'tls' | 'restrictions' | 'limits' | 'delivery' | 'queue';

export type ParamDef = {
  name: string;
  type: ParamType;
  group: ParamGroup;
  /** A string, or a function of the compatibility level as major + minor/100 (3.6 → 3.06). */
  default: string | ((level: number) => string);
  doc: string;
  values?: readonly string[];
  min?: number;
  max?: number;
};

const p = (d: ParamDef) => d;

export const PARAMETERS: readonly ParamDef[] = [
  // ── identity ──
  p({ name: 'compatibility_level', type: 'string', group: 'identity', default: '0', doc: 'Backwards-compatible default settings: parameters whose defaults changed take the old value below the given level.' }),
  p({ name: 'myhostname', type: 'string', group: 'identity', default: 'localhost.localdomain', doc: 'The internet hostname of this mail system; used in the greeting and in $myhostname references.' }),
  p({ name: 'mydomain', type: 'string', group: 'identity', default: '', doc: 'The internet domain name of this mail system (default: $myhostname minus its first label).' }),
  p({ name: 'myorigin', type: 'string', group: 'identity', default: '$myhostname', doc: 'The domain appended to addresses that have no domain part.' }),
  p({ name: 'mydestination', type: 'list', group: 'identity', default: '$myhostname, localhost.$mydomain, localhost', doc: 'Domains this machine delivers locally; the console\'s local domains are appended.' }),
  p({ name: 'smtpd_banner', type: 'string', group: 'identity', default: '$myhostname ESMTP $mail_name', doc: 'The text that follows the 220 status code in the SMTP greeting.' }),
  p({ name: 'mail_name', type: 'string', group: 'identity', default: 'Postern', doc: 'The mail system name shown in the greeting and in Received: headers.' }),
  // ── network ──
  p({ name: 'inet_interfaces', type: 'list', group: 'network', default: 'all', doc: 'Network interface addresses to receive mail on: all, loopback-only, localhost, or addresses.' }),
  p({ name: 'inet_protocols', type: 'enum', group: 'network', default: 'all', values: ['all', 'ipv4', 'ipv6', 'ipv4, ipv6'], doc: 'The internet protocols to use: all, ipv4, ipv6.' }),
  p({ name: 'mynetworks', type: 'list', group: 'network', default: '', doc: 'Trusted remote SMTP clients (CIDR patterns, "!" to exclude); when set, mynetworks_style is ignored.' }),
  p({ name: 'mynetworks_style', type: 'enum', group: 'network', default: (l) => (l < 2 ? 'subnet' : 'host'), values: ['host', 'subnet', 'class'], doc: 'How mynetworks is derived when unset: host (this machine only), subnet (its subnets), class (its A/B/C classes).' }),
  p({ name: 'postern_smtpd_port', type: 'int', group: 'network', default: '25', min: 0, max: 65535, doc: 'Postern: TCP port of the smtpd (MX) service, with STARTTLS offered (master.cf "smtp inet").' }),
  p({ name: 'postern_submission_port', type: 'int', group: 'network', default: '587', min: 0, max: 65535, doc: 'Postern: TCP port of the submission service; STARTTLS is required before AUTH.' }),
  p({ name: 'postern_submissions_port', type: 'int', group: 'network', default: '465', min: 0, max: 65535, doc: 'Postern: TCP port of the submissions service (implicit TLS).' }),
  p({ name: 'smtpd_authorized_xclient_hosts', type: 'list', group: 'network', default: '', doc: 'Clients allowed to use XCLIENT to override the client name, address and login.' }),
  p({ name: 'smtpd_authorized_xforward_hosts', type: 'list', group: 'network', default: '', doc: 'Clients allowed to use XFORWARD to pass on the original client information.' }),
  p({ name: 'postern_proxy_protocol_hosts', type: 'list', group: 'network', default: '', doc: 'Postern: clients (load balancers) allowed to send a PROXY protocol v1 header.' }),
  p({ name: 'smtpd_client_connection_count_limit', type: 'int', group: 'limits', default: '50', min: 0, doc: 'How many simultaneous connections one client address may make (0 = no limit).' }),
  p({ name: 'smtpd_client_connection_rate_limit', type: 'int', group: 'limits', default: '0', min: 0, doc: 'How many connections per minute one client address may make (0 = no limit).' }),
  // ── relay ──
  p({ name: 'relay_domains', type: 'list', group: 'relay', default: (l) => (l < 2 ? '$mydestination' : ''), doc: 'Destinations this server relays mail to from untrusted clients; the console\'s relay domains are appended.' }),
  p({ name: 'parent_domain_matches_subdomains', type: 'list', group: 'relay', default: 'debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps', doc: 'Features where "example.com" also matches its subdomains (otherwise write ".example.com").' }),
  p({ name: 'relayhost', type: 'string', group: 'relay', default: '', doc: 'The next-hop for non-local mail: [host]:port skips the MX lookup; empty delivers by MX.' }),
  p({ name: 'allow_untrusted_routing', type: 'bool', group: 'relay', default: 'no', doc: 'Forward mail with sender-specified routing (user[@%!]remote@local) from untrusted clients to relay domains.' }),
  p({ name: 'allow_percent_hack', type: 'bool', group: 'relay', default: 'yes', doc: 'Rewrite "user%domain" to "user@domain".' }),
  p({ name: 'swap_bangpath', type: 'bool', group: 'relay', default: 'yes', doc: 'Rewrite UUCP-style "site!user" to "user@site".' }),
  p({ name: 'append_dot_mydomain', type: 'bool', group: 'relay', default: (l) => (l < 1 ? 'yes' : 'no'), doc: 'Append ".$mydomain" to "user@host" addresses whose host has no dot.' }),
  p({ name: 'append_at_myorigin', type: 'bool', group: 'relay', default: 'yes', doc: 'Append "@$myorigin" to addresses without a domain.' }),
  p({ name: 'relay_domains_reject_code', type: 'int', group: 'relay', default: '554', min: 400, max: 599, doc: 'The reply code when a client is not allowed to relay (reject_unauth_destination).' }),
  // ── SASL / TLS ──
  p({ name: 'smtpd_sasl_auth_enable', type: 'bool', group: 'sasl', default: 'no', doc: 'Enable SMTP AUTH (SASL) in the SMTP server.' }),
  p({ name: 'smtpd_sasl_security_options', type: 'list', group: 'sasl', default: 'noanonymous', values: ['noanonymous', 'noplaintext', 'noactive', 'nodictionary', 'mutual_auth', 'forward_secrecy'], doc: 'SASL mechanism restrictions: noanonymous, noplaintext (no PLAIN/LOGIN at all).' }),
  p({ name: 'smtpd_sasl_tls_security_options', type: 'list', group: 'sasl', default: '$smtpd_sasl_security_options', doc: 'SASL mechanism restrictions once the session is TLS-encrypted.' }),
  p({ name: 'smtpd_tls_auth_only', type: 'bool', group: 'sasl', default: 'no', doc: 'Offer and accept AUTH only after STARTTLS (or on implicit TLS), so no password crosses the network in clear. Postfix defaults to no; Postern sets yes on first start: authentication belongs on submission (587/465), and on the MX port a client must STARTTLS first.' }),
  p({ name: 'broken_sasl_auth_clients', type: 'bool', group: 'sasl', default: 'no', doc: 'Also advertise "AUTH=PLAIN LOGIN" for old Outlook and Outlook Express clients.' }),
  p({ name: 'smtpd_sasl_local_domain', type: 'string', group: 'sasl', default: '', doc: 'The realm appended to login names that have no "@domain".' }),
  p({ name: 'smtpd_tls_security_level', type: 'enum', group: 'tls', default: 'may', values: ['none', 'may', 'encrypt'], doc: 'TLS on the smtpd port: none, may (offer STARTTLS), encrypt (require it).' }),
  p({ name: 'smtpd_tls_cert_file', type: 'string', group: 'tls', default: '', doc: 'PEM certificate (chain) for the SMTP server; empty: a self-signed one is generated for $myhostname.' }),
  p({ name: 'smtpd_tls_key_file', type: 'string', group: 'tls', default: '$smtpd_tls_cert_file', doc: 'PEM private key for the SMTP server certificate.' }),
  p({ name: 'smtp_tcp_port', type: 'string', group: 'relay', default: 'smtp', doc: 'The port the SMTP client connects to when neither the next hop nor relayhost names one (smtp = 25).' }),
  p({ name: 'smtp_tls_security_level', type: 'enum', group: 'tls', default: 'may', values: ['none', 'may', 'encrypt'], doc: 'TLS when relaying out: none, may (opportunistic STARTTLS), encrypt (required).' }),
  // ── restrictions ──
  p({ name: 'smtpd_client_restrictions', type: 'restrictions', group: 'restrictions', default: '', doc: 'Restrictions applied to the client address and hostname.' }),
  p({ name: 'smtpd_helo_restrictions', type: 'restrictions', group: 'restrictions', default: '', doc: 'Restrictions applied to the HELO/EHLO name.' }),
  p({ name: 'smtpd_sender_restrictions', type: 'restrictions', group: 'restrictions', default: '', doc: 'Restrictions applied to the MAIL FROM address.' }),
  p({ name: 'smtpd_relay_restrictions', type: 'restrictions', group: 'restrictions', default: (l) => (l < 1 ? '' : 'permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination'), doc: 'Relay control: applied to RCPT TO before (or after) smtpd_recipient_restrictions.' }),
  p({ name: 'smtpd_recipient_restrictions', type: 'restrictions', group: 'restrictions', default: '', doc: 'Restrictions applied to the RCPT TO address (spam blocking; relay control in older set-ups).' }),
  p({ name: 'smtpd_end_of_data_restrictions', type: 'restrictions', group: 'restrictions', default: 'reject_dmarc_policy', doc: 'Restrictions applied at the end of DATA, with the results of the SPF, DKIM, DMARC and ARC checks (Postern: default reject_dmarc_policy; Postfix has none built in and its default is empty).' }),
  p({ name: 'smtpd_data_restrictions', type: 'restrictions', group: 'restrictions', default: '', doc: 'Restrictions applied to the DATA command.' }),
  p({ name: 'smtpd_relay_before_recipient_restrictions', type: 'bool', group: 'restrictions', default: (l) => (l < 3.06 ? 'no' : 'yes'), doc: 'Evaluate smtpd_relay_restrictions before smtpd_recipient_restrictions.' }),
  p({ name: 'smtpd_delay_reject', type: 'bool', group: 'restrictions', default: 'yes', doc: 'Wait until RCPT TO before evaluating client, HELO and sender restrictions.' }),
  p({ name: 'smtpd_forbid_bare_newline', type: 'enum', group: 'restrictions', default: 'normalize', values: ['normalize', 'yes', 'reject', 'no'], doc: 'Command lines ended by a bare <LF>: normalize (treat as <CR><LF>) or reject (reply and disconnect). DATA with a bare <LF> is always refused.' }),
  p({ name: 'local_header_rewrite_clients', type: 'list', group: 'restrictions', default: 'permit_inet_interfaces', doc: 'Clients whose messages get a missing Message-Id: and Date: header added (permit_inet_interfaces, permit_mynetworks, permit_sasl_authenticated, static:all); for others the log says message-id=<>.' }),
  p({ name: 'always_add_missing_headers', type: 'bool', group: 'restrictions', default: 'no', doc: 'Add a missing Message-Id: and Date: header to every message, whoever sent it.' }),
  p({ name: 'disable_vrfy_command', type: 'bool', group: 'restrictions', default: 'yes', doc: 'Answer VRFY with 502 (Postern default yes, Postfix no: VRFY tells strangers which users exist). With no, VRFY gets the RCPT TO checks: 550 for an unknown user, 252 otherwise.' }),
  p({ name: 'smtpd_helo_required', type: 'bool', group: 'restrictions', default: 'no', doc: 'Require HELO or EHLO before MAIL FROM.' }),
  p({ name: 'smtpd_reject_unlisted_recipient', type: 'bool', group: 'restrictions', default: 'yes', doc: 'Reject unknown recipients in local (and relay) domains even without reject_unlisted_recipient.' }),
  p({ name: 'smtpd_reject_unlisted_sender', type: 'bool', group: 'restrictions', default: 'no', doc: 'Reject unknown sender addresses in local domains even without reject_unlisted_sender.' }),
  p({ name: 'smtpd_reject_footer', type: 'string', group: 'restrictions', default: '', doc: 'Text appended to every 4xx/5xx reply; "\\c" joins it to the last line; $lookup_id names the log entry.' }),
  p({ name: 'unknown_local_recipient_reject_code', type: 'int', group: 'restrictions', default: '550', min: 400, max: 599, doc: 'Reply code for unknown recipients in local domains.' }),
  p({ name: 'unknown_address_reject_code', type: 'int', group: 'restrictions', default: '450', min: 400, max: 599, doc: 'Reply code when a sender or recipient domain has no DNS record (reject_unknown_sender_domain).' }),
  p({ name: 'non_fqdn_reject_code', type: 'int', group: 'restrictions', default: '504', min: 400, max: 599, doc: 'Reply code for reject_non_fqdn_sender/recipient.' }),
  p({ name: 'access_map_reject_code', type: 'int', group: 'restrictions', default: '554', min: 400, max: 599, doc: 'Reply code for REJECT in an access table.' }),
  p({ name: 'access_map_defer_code', type: 'int', group: 'restrictions', default: '450', min: 400, max: 499, doc: 'Reply code for DEFER in an access table.' }),
  p({ name: 'reject_code', type: 'int', group: 'restrictions', default: '554', min: 400, max: 599, doc: 'Reply code of the "reject" restriction.' }),
  p({ name: 'defer_code', type: 'int', group: 'restrictions', default: '450', min: 400, max: 499, doc: 'Reply code of the "defer" restriction.' }),
  p({ name: 'maps_rbl_reject_code', type: 'int', group: 'restrictions', default: '554', min: 400, max: 599, doc: 'Reply code when reject_rbl_client finds the client listed.' }),
  p({ name: 'unverified_sender_reject_code', type: 'int', group: 'restrictions', default: '450', min: 400, max: 599, doc: 'Reply code of sender-login and sender-verification failures.' }),
  p({ name: 'smtpd_sender_login_maps', type: 'string', group: 'restrictions', default: 'postern:users', doc: 'Who may use which sender address; Postern: the users and aliases tables.' }),
  // ── limits ──
  p({ name: 'message_size_limit', type: 'size', group: 'limits', default: '10240000', min: 0, doc: 'The largest message (bytes) accepted; 0 = no limit.' }),
  p({ name: 'queue_minfree', type: 'size', group: 'limits', default: '0', doc: 'The free space (bytes) the data directory needs before a MAIL FROM is accepted (452 4.3.1 Insufficient system storage); it also needs 1.5 times message_size_limit.' }),
  p({ name: 'smtpd_recipient_overshoot_limit', type: 'int', group: 'limits', default: '1000', min: 0, doc: 'Recipients past smtpd_recipient_limit (each refused with 452 4.5.3) that do not count as errors toward smtpd_hard_error_limit.' }),
  p({ name: 'smtpd_recipient_limit', type: 'int', group: 'limits', default: '1000', min: 1, doc: 'The most recipients accepted per message.' }),
  p({ name: 'smtpd_error_sleep_time', type: 'time', group: 'limits', default: '1s', doc: 'The pause before each reply once the error count reaches smtpd_soft_error_limit.' }),
  p({ name: 'smtpd_soft_error_limit', type: 'int', group: 'limits', default: '10', min: 0, doc: 'Errors after which each reply is delayed by smtpd_error_sleep_time.' }),
  p({ name: 'smtpd_junk_command_limit', type: 'int', group: 'limits', default: '100', min: 1, doc: 'NOOP, VRFY, ETRN or RSET commands a client may send (until a message is accepted) before each further one counts as an error.' }),
  p({ name: 'smtpd_hard_error_limit', type: 'int', group: 'limits', default: '20', min: 1, doc: 'Errors after which the server disconnects.' }),
  p({ name: 'smtpd_timeout', type: 'time', group: 'limits', default: '300s', doc: 'Deadline for a client command or a chunk of DATA (per command, not reset by single bytes).' }),
  p({ name: 'postern_body_memory_limit', type: 'size', group: 'limits', default: '262144', min: 131072, doc: 'Postern: how much of a message an SMTP session keeps in memory (bytes); the rest goes to a spool file as it arrives, and into the queue in 1 MiB parts, so memory per session does not grow with the message.' }),
  p({ name: 'postern_session_deadline', type: 'time', group: 'limits', default: '3600s', doc: 'Postern: the longest an SMTP session may last, however busy.' }),
  p({ name: 'postern_greet_pause', type: 'time', group: 'limits', default: '0s', doc: 'Postern: pause before the greeting to catch clients that talk first (postscreen_greet_wait style); 0 = greet at once.' }),
  p({ name: 'postern_auth_failure_limit', type: 'int', group: 'limits', default: '5', min: 1, doc: 'Postern: failed logins per client address (and per login) within postern_auth_failure_window before AUTH is refused with 454.' }),
  p({ name: 'postern_auth_failure_window', type: 'time', group: 'limits', default: '600s', doc: 'Postern: how long a failed login counts against its client and its login; afterwards it is forgotten, so nobody is locked out for good.' }),
  p({ name: 'postern_console_idle_timeout', type: 'time', group: 'limits', default: '1h', doc: 'Postern: a console session unused for this long is ended (its cookie no longer works).' }),
  p({ name: 'postern_console_session_lifetime', type: 'time', group: 'limits', default: '12h', doc: 'Postern: a console session ends this long after sign-in, however busy.' }),
  p({ name: 'postern_console_second_factor_roles', type: 'list', group: 'limits', default: '', values: ['admin', 'operator', 'user'], doc: 'Postern: console roles that must sign in with a second factor (TOTP or a security key); their users are sent to set one up before anything else.' }),
  p({ name: 'postern_inbound_auth_checks', type: 'bool', group: 'restrictions', default: 'yes', doc: 'Postern: check SPF, DKIM, DMARC and ARC of mail from clients that are neither authenticated nor in mynetworks, add Authentication-Results, and run smtpd_end_of_data_restrictions on the results.' }),
  p({ name: 'postern_dkim_retire_after', type: 'time', group: 'limits', default: '7d', doc: 'Postern: how long a replaced DKIM key stays published (RETIRING) after its successor starts signing, so mail in flight still verifies.' }),
  // ── delivery / queue ──
  p({ name: 'local_transport', type: 'string', group: 'delivery', default: 'maildir', doc: 'How local mail is delivered: maildir (Maildirs under the data directory, also for local or virtual) or lmtp:inet:host:port / lmtp:unix:/path (Dovecot).' }),
  p({ name: 'recipient_delimiter', type: 'string', group: 'delivery', default: '', doc: 'Separator between user names and address extensions (user+foo).' }),
  p({ name: 'virtual_destination_concurrency_limit', type: 'int', group: 'delivery', default: '$default_destination_concurrency_limit', min: 1, doc: 'Parallel Maildir deliveries to one local domain.' }),
  p({ name: 'lmtp_destination_concurrency_limit', type: 'int', group: 'delivery', default: '$default_destination_concurrency_limit', min: 1, doc: 'Parallel deliveries to the LMTP server (local_transport = lmtp).' }),
  p({ name: 'default_destination_concurrency_limit', type: 'int', group: 'delivery', default: '20', min: 1, doc: 'Parallel deliveries to one destination.' }),
  p({ name: 'minimal_backoff_time', type: 'time', group: 'queue', default: '300s', doc: 'The shortest time before retrying a deferred delivery.' }),
  p({ name: 'maximal_backoff_time', type: 'time', group: 'queue', default: '4000s', doc: 'The longest time between retries of a deferred delivery.' }),
  p({ name: 'maximal_queue_lifetime', type: 'time', group: 'queue', default: '5d', doc: 'How long a deferred message stays queued before it bounces.' }),
  p({ name: 'postern_queue_lease_time', type: 'time', group: 'queue', default: '600s', doc: 'Postern: how long a delivery attempt holds its recipients; a node that dies holding them gives them up after this (at once when it restarts).' }),
  p({ name: 'postern_record_retry_time', type: 'time', group: 'queue', default: '5s', doc: 'Postern: how soon a delivery outcome that could not be recorded (database unreachable, locked, disk full) is tried again; it is journaled meanwhile and its recipients are never delivered again.' }),
  p({ name: 'bounce_queue_lifetime', type: 'time', group: 'queue', default: '5d', doc: 'How long a deferred bounce stays queued.' }),
];

export const PARAMETER_TABLE: ReadonlyMap<string, ParamDef> = new Map(PARAMETERS.map((d) => [d.name, d]));

/** Parameters only Postern has: exported as "#postern:" comment lines, which Postfix ignores. */
export const isPosternOnly = (name: string) => name.startsWith('postern_');

/** Parameters Postfix knows but Postern deliberately does not implement: reported on import. */
export const KNOWN_UNSUPPORTED = new Set([
  'alias_maps', 'alias_database', 'biff', 'command_directory', 'daemon_directory', 'data_directory',
  'html_directory', 'mail_owner', 'mailbox_command', 'mailbox_size_limit', 'manpage_directory',
  'newaliases_path', 'mailq_path', 'queue_directory', 'readme_directory', 'sample_directory',
  'sendmail_path', 'setgid_group', 'smtpd_sasl_type', 'smtpd_sasl_path', 'smtp_tls_session_cache_database',
  'smtpd_tls_session_cache_database', 'home_mailbox', 'virtual_alias_maps', 'virtual_mailbox_maps',
  'virtual_mailbox_domains', 'transport_maps', 'smtp_tls_CApath', 'smtp_tls_CAfile', 'smtpd_use_tls',
]);

export const compatLevelNumber = (raw: string): number => {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(raw.trim());
  if (!m) return Number.NaN;
  // "3.6" → 3.06 and "3.10" → 3.10, so 3.10 sorts after 3.9 as Postfix intends.
  return Number(m[1]) + Number(m[2] ?? 0) / 100;
};

/** The numeric level of compatibility_level, major + minor/100 ("3.6" → 3.06, "3.10" → 3.10). */
export const defaultFor = (def: ParamDef, level: number): string =>
  typeof def.default === 'string' ? def.default : def.default(level);

const TIME_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Postfix time value → seconds ("300s", "5d"; bare numbers are seconds; "1h30m" is not Postfix). "ms" (milliseconds) is Postern's, for postern_greet_pause. */
export const parseTime = (raw: string): number | undefined => {
  const m = /^(\d+)(ms|[smhdw]?)$/.exec(raw.trim());
  if (!m) return undefined;
  if (m[2] === 'ms') return Number(m[1]) / 1000;
  return Number(m[1]) * (TIME_UNITS[m[2] || 's'] ?? 1);
};

export const parseBool = (raw: string): boolean | undefined => {
  const v = raw.trim().toLowerCase();
  if (v === 'yes' || v === 'true' || v === '1') return true;
  if (v === 'no' || v === 'false' || v === '0') return false;
  return undefined;
};

/** Postfix list syntax: commas and/or white space separate items. */
export const splitList = (raw: string): string[] => raw.split(/[\s,]+/).filter(Boolean);

/** Validates one already-expanded value against its definition; returns a message or undefined. */
export const validateValue = (def: ParamDef, value: string): string | undefined => {
  const v = value.trim();
  switch (def.type) {
    case 'bool':
      return parseBool(v) === undefined ? `expected yes or no, got "${v}"` : undefined;
    case 'int':
    case 'size': {
      if (!/^\d+$/.test(v)) return `expected a whole number, got "${v}"`;
      const n = Number(v);
      if (def.min !== undefined && n < def.min) return `must be at least ${def.min}`;
      if (def.max !== undefined && n > def.max) return `must be at most ${def.max}`;
      return undefined;
    }
    case 'time':
      return parseTime(v) === undefined ? `expected a time such as 300s, 5m, 1h or 5d, got "${v}"` : undefined;
    case 'enum':
      if (def.name === 'inet_protocols') {
        const items = splitList(v);
        return items.length && items.every((i) => ['all', 'ipv4', 'ipv6'].includes(i)) ? undefined : `expected all, ipv4 or ipv6, got "${v}"`;
      }
      return def.values?.includes(v) ? undefined : `expected one of ${def.values?.join(', ')}, got "${v}"`;
    case 'list':
      if (def.values) {
        const bad = splitList(v).filter((i) => !def.values!.includes(i));
        return bad.length ? `unknown value${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (allowed: ${def.values.join(', ')})` : undefined;
      }
      return undefined;
    default:
      return undefined;
  }
};
