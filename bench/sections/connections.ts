// Section 5: 2,000 concurrent idle SMTP connections (each greeted, then silent): the
// engine's memory per connection, and how long the 2,001st waits for its greeting.
import net from 'node:net';
import { rssBytes } from '../lib/proc';
import { startPosternSystem } from '../lib/systems';

const greet = (port: number, localAddress: string) =>
  new Promise<{ socket: net.Socket; ms: number }>((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.setTimeout(30_000, () => socket.destroy(new Error('no greeting in 30 s')));
    socket.once('data', (d) => {
      socket.setTimeout(0);
      if (!d.toString().startsWith('220')) return reject(new Error(`greeting: ${d.toString().trim()}`));
      resolve({ socket, ms: performance.now() - t0 });
    });
    socket.once('error', reject);
  });

export const runConnections = async (o: { count: number }) => {
  const sys = await startPosternSystem({ kind: 'maildir' });
  const sockets: net.Socket[] = [];
  try {
    // Settle, then measure the idle engine.
    await new Promise((r) => setTimeout(r, 1500));
    const before = rssBytes(sys.pid);
    // 100 at a time, spread over source addresses as real clients would be.
    for (let i = 0; i < o.count; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, o.count - i) }, (_, k) => greet(sys.port, `127.1.${Math.floor((i + k) / 200)}.${1 + ((i + k) % 200)}`)));
      sockets.push(...batch.map((b) => b.socket));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const after = rssBytes(sys.pid);
    const last = await greet(sys.port, '127.2.0.1');
    sockets.push(last.socket);
    return { connections: o.count, kbPerConnection: (after - before) / o.count / 1024, greetLastMs: last.ms, rssBeforeMb: before / 1048576, rssAfterMb: after / 1048576 };
  } finally {
    for (const s of sockets) s.destroy();
    await sys.stop();
  }
};
