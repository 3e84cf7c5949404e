import os from 'node:os';

/** The classic secure Postfix set-up: never an open relay, SASL on, noanonymous. */
export const defaultSettings = (hostname = os.hostname()): Record<string, string> => ({
  compatibility_level: '3.6',
  myhostname: hostname.includes('.') ? hostname.toLowerCase() : `${hostname.toLowerCase()}.localdomain`,
  mydestination: '$myhostname, localhost',
  mynetworks_style: 'host',
  inet_interfaces: 'all',
  smtpd_sasl_auth_enable: 'yes',
  smtpd_sasl_security_options: 'noanonymous',
  smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
  smtpd_recipient_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
});
