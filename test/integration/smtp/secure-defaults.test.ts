// Secure by default on the MX port: a fresh Postern does not take passwords in clear there.
// AUTH is neither offered nor accepted before STARTTLS on port 25; after STARTTLS it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createDomain } from '../../../server/services/domains/create-domain';
import { swaks } from '../../helpers/clients';
import { requireCommand } from '../../helpers/env';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';

const USER = { address: 'ivy@secure.test', password: 'ivy-password-123' };

describe.skipIf(!requireCommand('swaks'))('the default policy on the MX port', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ users: [USER], setup: (db) => createDomain(db, CLI_ACTOR, { name: 'secure.test', kind: 'LOCAL' }).then(() => undefined) });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('offers and accepts AUTH only after STARTTLS', async () => {
    const { probe } = await SmtpProbe.connect(t.port(), { localAddress: '127.0.20.1' });
    const ehlo = await probe.cmd('EHLO client.example');
    expect(ehlo.lines.some((l) => /AUTH/.test(l))).toBe(false);
    expect(ehlo.lines).toContain('250-STARTTLS');
    const auth = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${USER.address}\0${USER.password}`).toString('base64')}`);
    expect(auth.text).toBe('503 5.5.1 Error: authentication not enabled');
    probe.close();
    const tls = await swaks(['--server', `127.0.0.1:${t.port()}`, '--local-interface', '127.0.20.2', '--tls', '--auth', 'PLAIN', '--auth-user', USER.address, '--auth-password', USER.password, '--quit-after', 'AUTH']);
    expect(tls.stdout).toMatch(/235 2\.7\.0 Authentication successful/);
  });
});
