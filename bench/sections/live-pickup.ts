// Section 4: live pickup — the time from a committed policy change to the first SMTP reply
// that reflects it, for 200 changes made while smtp-source keeps the engine busy:
//   - a trusted network added: a client in it, refused relay before, is let through;
//   - a password changed: AUTH with the new password succeeds.
// The changes are committed from this (another) process through the same services the
// console and the CLI use, so the engine learns of them as it would from a second console
// or `postern` on the command line: no in-process shortcut.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPrismaClient } from '../../prisma/client';
import { CLI_ACTOR } from '../../server/services/actor';
import { createNetwork } from '../../server/services/networks/create-network';
import { resetUserPassword } from '../../server/services/users/set-user-password';
import { SmtpProbe } from '../../test/helpers/smtp-probe';
import { RECIPIENT, startPosternSystem } from '../lib/systems';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export const runLivePickup = async (o: { changes: number; log: (s: string) => void }) => {
  const sys = await startPosternSystem({ kind: 'maildir' }, { trustLoopback: false });
  // The probe asks again every millisecond until the change shows; each refusal counts as
  // an SMTP error, so the error limits are lifted for this measurement only.
  sys.cli(['set', 'smtpd_hard_error_limit=1000000', 'smtpd_soft_error_limit=1000000']);
  const db = await createPrismaClient(`file:${path.join(sys.dataDir, 'postern.db')}`);
  // Background load, bounded in count and time; stopped when the changes are done.
  const load = spawn('smtp-source', ['-l', '2048', '-m', '1000000', '-s', '10', '-f', 'bench@sender.test', '-t', RECIPIENT, `127.0.0.1:${sys.port}`], { stdio: 'ignore' });
  const guard = setTimeout(() => load.kill('SIGKILL'), 600_000);
  const network: number[] = [];
  const password: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < o.changes / 2; i++) {
      // A fresh untrusted source address each time: 127.0.<10+i/250>.<1+i%250>.
      const ip = `127.0.${10 + Math.floor(i / 250)}.${1 + (i % 250)}`;
      const { probe } = await SmtpProbe.connect(sys.port, { localAddress: ip });
      await probe.cmd('EHLO pickup.bench.test');
      await probe.cmd('MAIL FROM:<p@sender.test>');
      const before = await probe.cmd('RCPT TO:<x@elsewhere.example.org>');
      if (before.code !== 554) throw new Error(`${ip} could relay before it was trusted: ${before.text}`);
      await probe.cmd('RSET');
      await createNetwork(db, CLI_ACTOR, { cidr: `${ip}/32`, note: 'live pickup bench' });
      const committed = performance.now();
      let reply;
      for (;;) {
        await probe.cmd('MAIL FROM:<p@sender.test>');
        reply = await probe.cmd('RCPT TO:<x@elsewhere.example.org>');
        await probe.cmd('RSET');
        if (reply.code === 250 || performance.now() - committed > 5000) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      if (reply.code !== 250) throw new Error(`network ${ip} not live after 5 s: ${reply.text}`);
      network.push(performance.now() - committed);
      probe.close();

      const pw = `bench-password-${i}-x`;
      await resetUserPassword(db, CLI_ACTOR, RECIPIENT, pw);
      const changed = performance.now();
      const auth = Buffer.from(`\0${RECIPIENT}\0${pw}`).toString('base64');
      let ok = false;
      while (!ok && performance.now() - changed < 5000) {
        const c = await SmtpProbe.connect(sys.port, { localAddress: '127.0.0.1' });
        await c.probe.cmd('EHLO pickup.bench.test');
        ok = (await c.probe.cmd(`AUTH PLAIN ${auth}`)).code === 235;
        c.probe.close();
      }
      if (!ok) throw new Error('new password not accepted within 5 s');
      password.push(performance.now() - changed);
      if ((i + 1) % 25 === 0) o.log(`  live pickup: ${2 * (i + 1)} of ${o.changes} changes`);
    }
  } finally {
    clearTimeout(guard);
    load.kill('SIGTERM');
    await db.$disconnect();
    await sys.stop();
  }
  return {
    network: { median: median(network), max: Math.max(...network), n: network.length },
    password: { median: median(password), max: Math.max(...password), n: password.length },
    all: { median: median([...network, ...password]), max: Math.max(...network, ...password) },
  };
};
