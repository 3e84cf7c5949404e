// The resolver the console asks (live DNS checks, DKIM key checks, the message tester):
// POSTERN_DNS_SERVER when set, as the engine does, else the system's; one try, 3 s.
import { Resolver } from 'node:dns/promises';

export const consoleResolver = (dnsServer = process.env.POSTERN_DNS_SERVER) => {
  const r = new Resolver({ timeout: 3000, tries: 1 });
  if (dnsServer) r.setServers([dnsServer]);
  return r;
};
