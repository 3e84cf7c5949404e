// Limits and deadlines of the SMTP conversation, over real sockets: recipients per message
// (and Postfix's overshoot rule), the command deadline against slow-drip clients, the
// per-read deadline in DATA for honest slow senders, the session cap, connections per
// client, and the slot a client gives back at QUIT.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useProtoEngine } from '../../helpers/proto-engine';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { sleep, until } from '../../helpers/wait';

describe('SMTP limits and deadlines', () => {
  const { t, set } = useProtoEngine();

  it('enforces smtpd_recipient_limit with 452 4.5.3', async () => {
    await set({ smtpd_recipient_limit: '2' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.3' });
      await probe.cmd('EHLO client.example');
      await probe.cmd('MAIL FROM:<a@example.org>');
      // Every RCPT counts, repeated addresses included, as in Postfix.
      expect((await probe.cmd('RCPT TO:<alice@proto.test>')).code).toBe(250);
      expect((await probe.cmd('RCPT TO:<alice@proto.test>')).code).toBe(250);
      expect((await probe.cmd('RCPT TO:<alice@proto.test>')).text).toMatch(/^452 4\.5\.3 Error: too many recipients/);
      // The limit is per transaction.
      await probe.cmd('RSET');
      await probe.cmd('MAIL FROM:<a@example.org>');
      expect((await probe.cmd('RCPT TO:<alice@proto.test>')).code).toBe(250);
      probe.close();
    } finally {
      await set({ smtpd_recipient_limit: null });
    }
  });

  it('past smtpd_recipient_limit answers 452 4.5.3 and still queues the message for the accepted recipients', async () => {
    await set({ smtpd_recipient_limit: '3' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.12' });
      await probe.cmd('EHLO client.example');
      await probe.cmd('MAIL FROM:<a@example.org>');
      const codes: string[] = [];
      // More refusals than smtpd_hard_error_limit (20): overshooting is not an error in Postfix.
      for (let i = 0; i < 30; i++) codes.push((await probe.cmd('RCPT TO:<alice@proto.test>')).text.slice(0, 9));
      expect(codes.slice(0, 3)).toEqual(['250 2.1.5', '250 2.1.5', '250 2.1.5']);
      expect(new Set(codes.slice(3))).toEqual(new Set(['452 4.5.3']));
      expect((await probe.cmd('DATA')).code).toBe(354);
      const done = await probe.cmd('Subject: many\r\n\r\nbody\r\n.');
      expect(done.text).toMatch(/^250 2\.0\.0 Ok: queued as ([0-9A-F]+)/);
      probe.close();
      const queueId = /queued as ([0-9A-F]+)/.exec(done.text)![1]!;
      const delivered = await until(async () => {
        await t.engine.flushLog();
        return (await t.db.deliveryEvent.count({ where: { event: 'delivery.sent', queueId, recipient: 'alice@proto.test' } })) === 1;
      });
      expect(delivered).toBe(true);
    } finally {
      await set({ smtpd_recipient_limit: null });
    }
  });

  it('closes a slow-drip connection at smtpd_timeout even though bytes keep arriving', async () => {
    await set({ smtpd_timeout: '2s' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.7' });
      await probe.cmd('EHLO client.example');
      const started = Date.now();
      // One byte every 300 ms of a command that never ends: an idle timer would never fire.
      const drip = setInterval(() => !probe.isClosed && probe.write('x'), 300);
      const reply = await probe.read(10_000);
      clearInterval(drip);
      expect(reply.text).toMatch(/^421 4\.4\.2 mx\.proto\.test Error: timeout exceeded/);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await set({ smtpd_timeout: null });
    }
  });

  it('in DATA, smtpd_timeout applies per read: a slow honest sender is not cut; postern_session_deadline still is', async () => {
    await set({ smtpd_timeout: '1s' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.13' });
      await probe.cmd('EHLO client.example');
      await probe.cmd('MAIL FROM:<a@example.org>');
      await probe.cmd('RCPT TO:<alice@proto.test>');
      expect((await probe.cmd('DATA')).code).toBe(354);
      probe.write('Subject: slow link\r\n\r\n');
      // 4 s of content, a line every 300 ms: four times smtpd_timeout in all, never idle for one.
      for (let i = 0; i < 13; i++) {
        await sleep(300);
        probe.write(`line ${i} of a message on a slow link\r\n`);
      }
      expect((await probe.cmd('.')).text).toMatch(/^250 2\.0\.0 Ok: queued as/);
      probe.close();
    } finally {
      await set({ smtpd_timeout: null });
    }
    await set({ postern_session_deadline: '2s' });
    try {
      const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.14' });
      await probe.cmd('EHLO client.example');
      await probe.cmd('MAIL FROM:<a@example.org>');
      await probe.cmd('RCPT TO:<alice@proto.test>');
      await probe.cmd('DATA');
      const started = Date.now();
      const drip = setInterval(() => !probe.isClosed && probe.write('x'), 200);
      const reply = await probe.read(10_000);
      clearInterval(drip);
      expect(reply.text).toMatch(/^421 4\.4\.2 mx\.proto\.test Error: session time limit exceeded/);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await set({ postern_session_deadline: null });
    }
  });

  it('limits simultaneous connections per client (smtpd_client_connection_count_limit)', async () => {
    await set({ smtpd_client_connection_count_limit: '3' });
    try {
      const open: SmtpProbe[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.8' });
        expect(c.greeting.code).toBe(220);
        open.push(c.probe);
      }
      const fourth = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.8' });
      expect(fourth.greeting.text).toBe('421 4.7.0 Error: too many connections from 127.0.2.8');
      // Another client is not affected, and a trusted one (mynetworks) is exempt, as in Postfix.
      const other = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.9' });
      expect(other.greeting.code).toBe(220);
      const trusted: SmtpProbe[] = [];
      for (let i = 0; i < 4; i++) {
        const c = await SmtpProbe.connect(t.port(), { localAddress: '127.0.0.2' });
        expect(c.greeting.code).toBe(220);
        trusted.push(c.probe);
      }
      for (const p of [...open, fourth.probe, other.probe, ...trusted]) p.close();
    } finally {
      await set({ smtpd_client_connection_count_limit: null });
    }
  });

  it('closes the channel after the 221 to QUIT, so a client that keeps its side open does not keep its connection slot', async () => {
    await set({ smtpd_client_connection_count_limit: '1' });
    try {
      // A client that half-closes nothing: it neither reads to the end nor closes its side.
      const sock = net.connect({ port: t.port(), host: '127.0.0.1', localAddress: '127.0.2.13', allowHalfOpen: true });
      let got = '';
      sock.setEncoding('utf8').on('data', (d: string) => (got += d));
      const replies = async (n: number) => (await until(async () => got.split('\r\n').filter((l) => /^\d{3} /.test(l)).length >= n, 5000)) || expect.fail(`no reply ${n}: ${got}`);
      await replies(1);
      sock.write('EHLO client.example\r\n');
      await replies(2);
      sock.write('QUIT\r\n');
      await replies(3);
      expect(got).toMatch(/221 2\.0\.0 Bye\r\n$/);
      // The next connection from the same client is served at once, not after a deadline.
      const started = Date.now();
      let greeting = '';
      while (Date.now() - started < 3000) {
        const next = await SmtpProbe.connect(t.port(), { localAddress: '127.0.2.13' });
        greeting = next.greeting.text;
        next.probe.close();
        if (next.greeting.code === 220) break;
        await sleep(100);
      }
      expect(greeting).toMatch(/^220 /);
      expect(Date.now() - started).toBeLessThan(1000);
      sock.destroy();
    } finally {
      await set({ smtpd_client_connection_count_limit: null });
    }
  });
});
