// Restriction name → implementation: dispatch as data, like Postfix's smtpd_check.c
// tables. Names are Postfix's own (snake_case). A name missing here is refused when the
// policy is compiled, so nothing unknown reaches run time. Pure.
import type { ListName, TracedRestriction } from './restrictions/context';
import { checkClientAccess, checkHeloAccess, checkRecipientAccess, checkSenderAccess } from './restrictions/access-maps';
import { defer, dunno, permit, reject } from './restrictions/generic';
import { rejectInvalidHeloHostname, rejectNonFqdnHeloHostname, rejectNonFqdnRecipient, rejectNonFqdnSender } from './restrictions/non-fqdn';
import { permitMynetworks } from './restrictions/permit-mynetworks';
import { permitSaslAuthenticated } from './restrictions/permit-sasl-authenticated';
import { rejectRblClient } from './restrictions/rbl-client';
import { deferSpfTemperror, rejectDmarcPolicy, rejectSpfFail } from './restrictions/mail-auth';
import { rejectSenderLoginMismatch } from './restrictions/sender-login-mismatch';
import { rejectUnauthPipelining } from './restrictions/unauth-pipelining';
import { deferUnauthDestination, rejectUnauthDestination } from './restrictions/unauth-destination';
import { rejectUnknownSenderDomain } from './restrictions/unknown-sender-domain';
import { rejectUnlistedRecipient } from './restrictions/unlisted-recipient';

export type RestrictionSpec = {
  fn: TracedRestriction;
  /** 'table' takes an access table name, 'zone' a DNSBL zone[=address]. */
  arg?: 'table' | 'zone';
  /** Lists in which the restriction makes sense (Postfix refuses e.g. recipient checks at the client stage unless delayed). */
  doc: string;
};

export const RESTRICTION_TABLE: Readonly<Record<string, RestrictionSpec>> = {
  permit: { fn: permit, doc: 'Accept: ends this list with OK.' },
  reject: { fn: reject, doc: 'Refuse with $reject_code (554): ends this list.' },
  defer: { fn: defer, doc: 'Refuse temporarily with $defer_code (450).' },
  dunno: { fn: dunno, doc: 'No decision: go on with the next restriction.' },
  permit_mynetworks: { fn: permitMynetworks, doc: 'Accept clients in mynetworks.' },
  permit_sasl_authenticated: { fn: permitSaslAuthenticated, doc: 'Accept clients that logged in with SMTP AUTH.' },
  reject_unauth_destination: { fn: rejectUnauthDestination, doc: 'Refuse (554 5.7.1 Relay access denied) unless the recipient is in a local or relay domain.' },
  defer_unauth_destination: { fn: deferUnauthDestination, doc: 'As reject_unauth_destination, but with a temporary 450.' },
  reject_unlisted_recipient: { fn: rejectUnlistedRecipient, doc: 'Refuse recipients in local domains that are not users or aliases.' },
  reject_non_fqdn_recipient: { fn: rejectNonFqdnRecipient, doc: 'Refuse recipient addresses without a fully-qualified domain.' },
  reject_non_fqdn_sender: { fn: rejectNonFqdnSender, doc: 'Refuse sender addresses without a fully-qualified domain.' },
  reject_non_fqdn_helo_hostname: { fn: rejectNonFqdnHeloHostname, doc: 'Refuse HELO names that are not fully qualified.' },
  reject_invalid_helo_hostname: { fn: rejectInvalidHeloHostname, doc: 'Refuse HELO names with bad syntax.' },
  reject_unknown_sender_domain: { fn: rejectUnknownSenderDomain, doc: 'Refuse senders whose domain has no A, AAAA or MX record.' },
  reject_unauth_pipelining: { fn: rejectUnauthPipelining, doc: 'Refuse clients that send commands before the server replied.' },
  reject_sender_login_mismatch: { fn: rejectSenderLoginMismatch, doc: 'Refuse sender addresses not owned by the SMTP AUTH login.' },
  check_client_access: { fn: checkClientAccess, arg: 'table', doc: 'Look up the client address and name in an access table.' },
  check_helo_access: { fn: checkHeloAccess, arg: 'table', doc: 'Look up the HELO name in an access table.' },
  check_sender_access: { fn: checkSenderAccess, arg: 'table', doc: 'Look up the sender address in an access table.' },
  check_recipient_access: { fn: checkRecipientAccess, arg: 'table', doc: 'Look up the recipient address in an access table.' },
  reject_dmarc_policy: { fn: rejectDmarcPolicy, doc: 'At end of DATA: refuse (550 5.7.1) mail failing DMARC whose From domain publishes p=reject; p=quarantine is delivered marked. Never for a DNS error.' },
  reject_spf_fail: { fn: rejectSpfFail, doc: 'At end of DATA: refuse (550 5.7.23) mail whose SPF result is fail.' },
  defer_spf_temperror: { fn: deferSpfTemperror, doc: 'At end of DATA: defer (451 4.4.3) mail whose SPF check met a temporary DNS error.' },
  reject_rbl_client: { fn: rejectRblClient, arg: 'zone', doc: 'Refuse clients listed in a DNS blocklist zone.' },
};

/** Restrictions any of which makes a relay/recipient pair safe (Postfix's has_required()). */
export const DEFAULT_DENY = new Set(['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer']);

export const LIST_REPLY: Record<ListName, 'client' | 'helo' | 'sender' | 'recipient' | 'data'> = {
  smtpd_client_restrictions: 'client',
  smtpd_helo_restrictions: 'helo',
  smtpd_sender_restrictions: 'sender',
  smtpd_relay_restrictions: 'recipient',
  smtpd_recipient_restrictions: 'recipient',
  smtpd_data_restrictions: 'data',
  smtpd_end_of_data_restrictions: 'data',
};
