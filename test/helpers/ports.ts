import { readFileSync } from 'node:fs';
import net from 'node:net';

// Ports for servers that another process (postern, Postfix, Dovecot) will bind after this
// process hands them over. They come from below the kernel's ephemeral range: a port the OS
// picks with listen(0) lies inside that range, so between our close() and the child's bind()
// any outgoing connection on the machine (the differential tests open thousands) may take it
// as its source port, and the child then fails with EADDRINUSE. Below the range, only another
// listener can take a port, and each candidate is checked by binding it first.

const ephemeralLow = (() => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
})();
const LOW = 10_000;
const HIGH = ephemeralLow - 1;
const handedOut = new Set<number>();

const canBind = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    // '::' binds dual-stack, so a port held on 127.0.0.1 (or any IPv4 address) also counts as taken.
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });

const hasIpv6 = canBind(0, '::');

/** A TCP port that is free on every address, from below the ephemeral range (see above). */
export const freePort = async (): Promise<number> => {
  const wildcard = (await hasIpv6) ? '::' : '0.0.0.0';
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    if ((await canBind(port, wildcard)) && (await canBind(port, '127.0.0.1'))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH} after 200 tries`);
};
