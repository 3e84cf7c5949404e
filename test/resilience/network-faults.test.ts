// Faults on the network side, over real sockets: a next hop that drops the connection in the
// middle of DATA (the message is deferred and delivered on the retry, once); a DNS server that
// never answers (deferral with 4.4.3, never a bounce); and 500 connections from one address
// (the first smtpd_client_connection_count_limit are served, the rest get 421, and another
// client is still greeted).
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { createNetwork } from '../../server/services/networks/create-network';
import { updateSettings } from '../../server/services/settings/update-settings';
import { startSink } from '../helpers/sink';
import { SmtpProbe } from '../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';
import { sleep, until } from '../helpers/wait';

describe('network faults', () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  /** A DNS server that receives every query and answers none. */
  const silentDns = async () => {
    const s = dgram.createSocket('udp4');
    let queries = 0;
    s.on('message', () => queries++);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    cleanup.push(() => s.close());
    return { address: `127.0.0.1:${s.address().port}`, queries: () => queries };
  };

  const send = async (t: TestEngine, from: string, to: string, subject: string) => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: from });
    await probe.cmd('EHLO client.example');
    await probe.cmd('MAIL FROM:<a@example.org>');
    await probe.cmd(`RCPT TO:<${to}>`);
    await probe.cmd('DATA');
    const r = await probe.cmd(`Subject: ${subject}\r\n\r\nbody\r\n.`);
    probe.close();
    return r.text;
  };

  it('defers, then delivers once, when the next hop drops the connection in the middle of DATA', async () => {
    const sink = await startSink({ dropFirst: 1 });
    cleanup.push(() => sink.close());
    const t = await startTestEngine({
      setup: async (db) => {
        await createNetwork(db, CLI_ACTOR, { cidr: '127.0.17.0/24' });
        await updateSettings(db, CLI_ACTOR, { relayhost: `[127.0.0.1]:${sink.port}`, smtpd_error_sleep_time: '0', minimal_backoff_time: '1s', maximal_backoff_time: '2s' });
      },
    });
    cleanup.push(() => t.stop());
    expect(await send(t, '127.0.17.1', 'far@dropped.example', 'dropped once')).toMatch(/^250 2\.0\.0 Ok: queued as/);
    const deferred = await until(async () => {
      await t.engine.flushLog();
      return (await t.db.deliveryEvent.count({ where: { event: 'delivery.deferred', recipient: 'far@dropped.example' } })) === 1;
    }, 10_000, 200);
    expect(deferred).toBe(true);
    expect(await until(async () => sink.received.some((m) => m.data.includes('Subject: dropped once')), 15_000, 250)).toBe(true);
    await sleep(2500); // a further retry would come within the maximal backoff
    expect(sink.received.filter((m) => m.data.includes('Subject: dropped once'))).toHaveLength(1);
    await t.engine.flushLog();
    expect(await t.db.deliveryEvent.count({ where: { event: 'delivery.bounced', recipient: 'far@dropped.example' } })).toBe(0);
  });

  it('defers (4.4.3), never bounces, when the DNS server does not answer', async () => {
    const dns = await silentDns();
    const t = await startTestEngine({
      env: { POSTERN_DNS_SERVER: dns.address },
      setup: async (db) => {
        await createNetwork(db, CLI_ACTOR, { cidr: '127.0.18.0/24' });
        await updateSettings(db, CLI_ACTOR, { smtpd_error_sleep_time: '0' });
      },
    });
    cleanup.push(() => t.stop());
    expect(await send(t, '127.0.18.1', 'someone@unreachable-dns.example', 'no dns')).toMatch(/^250 2\.0\.0 Ok: queued as/);
    const event = await until(async () => {
      await t.engine.flushLog();
      return (await t.db.deliveryEvent.count({ where: { recipient: 'someone@unreachable-dns.example', event: { in: ['delivery.deferred', 'delivery.bounced'] } } })) > 0;
    }, 20_000, 250);
    expect(event).toBe(true);
    const rows = await t.db.deliveryEvent.findMany({ where: { recipient: 'someone@unreachable-dns.example', event: { startsWith: 'delivery.' } } });
    expect(rows.map((r) => [r.event, r.enhanced])).toEqual([['delivery.deferred', '4.4.3']]);
    expect(dns.queries()).toBeGreaterThan(0);
    expect(await t.db.recipient.findFirst({ where: { address: 'someone@unreachable-dns.example' } })).toMatchObject({ state: 'DEFERRED' });
  });

  it('serves the first 50 of 500 connections from one address, refuses the rest with 421, and still greets others', async () => {
    const t = await startTestEngine({ setup: (db) => updateSettings(db, CLI_ACTOR, { smtpd_error_sleep_time: '0' }).then(() => undefined) });
    cleanup.push(() => t.stop());
    const sockets: net.Socket[] = [];
    const greetings = await Promise.all(
      Array.from(
        { length: 500 },
        () =>
          new Promise<string>((resolve) => {
            const s = net.connect({ port: t.port(), host: '127.0.0.1', localAddress: '127.0.19.1' });
            sockets.push(s);
            s.once('data', (d) => resolve(d.toString().slice(0, 3)));
            s.once('error', () => resolve('err'));
            s.setTimeout(10_000, () => resolve('timeout'));
          }),
      ),
    );
    const count = (code: string) => greetings.filter((g) => g === code).length;
    expect({ served: count('220'), refused: count('421') }).toEqual({ served: 50, refused: 450 });
    const other = await SmtpProbe.connect(t.port(), { localAddress: '127.0.19.2' });
    expect(other.greeting.code).toBe(220);
    other.probe.close();
    for (const s of sockets) s.destroy();
    // The slots come back: the flooding address is served again.
    expect(await until(async () => {
      const again = await SmtpProbe.connect(t.port(), { localAddress: '127.0.19.1' });
      again.probe.close();
      return again.greeting.code === 220;
    }, 5000, 200)).toBe(true);
  });
});
