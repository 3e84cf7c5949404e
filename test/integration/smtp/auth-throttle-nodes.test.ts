// SMTP AUTH throttling across engine nodes that share a database: a guesser who spreads
// failed logins over the nodes meets the same limit as on one node — per client address a
// refusal, per login a slowdown for unknown addresses — and the user still signs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createDomain } from '../../../server/services/domains/create-domain';
import { updateSettings } from '../../../server/services/settings/update-settings';
import { pgAvailable } from '../../helpers/env';
import { createFreshPgDatabase } from '../../helpers/pg';
import { SmtpProbe } from '../../helpers/smtp-probe';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';
import { until } from '../../helpers/wait';

const auth = async (port: number, from: string, user: string, password: string) => {
  const { probe } = await SmtpProbe.connect(port, { localAddress: from });
  await probe.cmd('EHLO client.example');
  const r = await probe.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
  probe.close();
  return r.text;
};

/** The checks, for two nodes on one database: `url` is PostgreSQL's, or undefined for node A's SQLite file. */
const twoNodeChecks = (url: () => string | undefined) => {
  let a: TestEngine;
  let b: TestEngine;
  beforeAll(async () => {
    a = await startTestEngine({
      databaseUrl: url(),
      env: { POSTERN_NODE_ID: 'node-a' },
      users: [
        { address: 'alice@nodes.test', password: 'alice-password-1' },
        { address: 'bob@nodes.test', password: 'bob-password-1' },
      ],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'nodes.test', kind: 'LOCAL' });
        await updateSettings(db, CLI_ACTOR, { myhostname: 'mx.nodes.test', smtpd_error_sleep_time: '0', postern_auth_failure_limit: '3', postern_auth_failure_window: '60s', smtpd_tls_auth_only: 'no' });
      },
    });
    b = await startTestEngine({ databaseUrl: url() ?? `file:${a.dataDir}/postern.db`, env: { POSTERN_NODE_ID: 'node-b' } });
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('refuses on one node the client that failed on the other, never the user elsewhere', async () => {
    // Before any failure, node B signs alice in from the guesser's address.
    expect(await auth(b.port(), '127.0.7.1', 'alice@nodes.test', 'alice-password-1')).toMatch(/^235 2\.7\.0/);
    for (let i = 0; i < 3; i++) expect(await auth(a.port(), '127.0.7.1', 'alice@nodes.test', `guess-${i}`)).toMatch(/^535 5\.7\.8 /);
    // Node A's failures reach the database with its next log batch.
    await until(async () => (await b.db.deliveryEvent.count({ where: { event: 'auth.failed', nodeId: 'node-a' } })) >= 3, 5_000);
    // Node B now refuses the guesser's address, right password or not ...
    expect(await auth(b.port(), '127.0.7.1', 'alice@nodes.test', 'alice-password-1')).toMatch(/^454 4\.7\.0 /);
    // ... but not the user from another address, however the login is spelt.
    expect(await auth(b.port(), '127.0.7.2', 'Alice@Nodes.Test', 'alice-password-1')).toMatch(/^235 2\.7\.0/);
    expect(await auth(b.port(), '127.0.7.3', 'bob@nodes.test', 'bob-password-1')).toMatch(/^235 2\.7\.0/);
  });

  it('slows on one node the unknown addresses of a login guessed at on the other', async () => {
    for (let i = 0; i < 10; i++) expect(await auth(a.port(), `127.0.13.${i + 1}`, 'bob@nodes.test', `guess-${i}`)).toMatch(/^535 5\.7\.8 /);
    await until(async () => (await b.db.deliveryEvent.count({ where: { event: 'auth.failed', nodeId: 'node-a', saslUser: 'bob@nodes.test' } })) >= 10, 5_000);
    const started = Date.now();
    expect(await auth(b.port(), '127.0.13.50', 'bob@nodes.test', 'bob-password-1')).toMatch(/^235 2\.7\.0/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // bob's own address (he signed in from 127.0.7.3 on node B above) is not slowed.
    const home = Date.now();
    expect(await auth(a.port(), '127.0.7.3', 'bob@nodes.test', 'bob-password-1')).toMatch(/^235 2\.7\.0/);
    expect(Date.now() - home).toBeLessThan(500);
  });
};

describe('two engine nodes on one SQLite database', () => twoNodeChecks(() => undefined));

const PG = await pgAvailable();

describe.skipIf(!PG)('two engine nodes on one PostgreSQL database', async () => {
  const fresh = await createFreshPgDatabase('throttle');
  afterAll(async () => fresh.drop());
  twoNodeChecks(() => fresh.url);
});
