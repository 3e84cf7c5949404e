// One engine for a file of SMTP conversation tests: the local domain proto.test with the
// user alice, 127.0.0.2 trusted, no error sleep. `set` changes the policy the way the console
// does and waits until the engine has it.
import { afterAll, beforeAll } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { createDomain } from '../../server/services/domains/create-domain';
import { createNetwork } from '../../server/services/networks/create-network';
import { updateSettings } from '../../server/services/settings/update-settings';
import { startTestEngine, type TestEngine } from './start-test-engine';

export const useProtoEngine = () => {
  let t: TestEngine | undefined;
  beforeAll(async () => {
    t = await startTestEngine({
      users: [{ address: 'alice@proto.test', password: 'alice-password-1' }],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'proto.test', kind: 'LOCAL' });
        await createNetwork(db, CLI_ACTOR, { cidr: '127.0.0.2/32' });
        // Plaintext AUTH on the smtpd port, on purpose: these tests are about the conversation.
        await updateSettings(db, CLI_ACTOR, { myhostname: 'mx.proto.test', smtpd_error_sleep_time: '0', smtpd_tls_auth_only: 'no' });
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const engine = () => {
    if (!t) throw new Error('the engine has not started');
    return t;
  };
  return {
    /** The running engine's port, database and engine (after beforeAll). */
    t: {
      port: () => engine().port(),
      get db() {
        return engine().db;
      },
      get engine() {
        return engine().engine;
      },
    },
    set: async (changes: Record<string, string | null>) => {
      await updateSettings(engine().db, CLI_ACTOR, changes);
      await engine().engine.refreshPolicy();
    },
  };
};
