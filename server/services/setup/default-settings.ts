import os from 'node:os';

/**
 * The classic secure Postfix set-up: never an open relay, SASL on, noanonymous — and
 * passwords only over TLS (smtpd_tls_auth_only = yes, where Postfix's default is no): on the
 * MX port a client must STARTTLS before AUTH; mail clients use submission (587) or
 * submissions (465) anyway.
 */
export const defaultSettings = (hostname = os.hostname()): Record<string, string> => ({
  compatibility_level: '3.6',
  myhostname: hostname.includes('.') ? hostname.toLowerCase() : `${hostname.toLowerCase()}.localdomain`,
  mydestination: '$myhostname, localhost',
  mynetworks_style: 'host',
  inet_interfaces: 'all',
  smtpd_sasl_auth_enable: 'yes',
  smtpd_sasl_security_options: 'noanonymous',
  smtpd_tls_auth_only: 'yes',
  smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
  smtpd_recipient_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
});
