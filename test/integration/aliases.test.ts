// Aliases that cannot hurt: an alias may not silently take over a mailbox (Postfix's virtual
// aliases win over delivery, so the mailbox's mail would go elsewhere) nor form a loop; both
// are refused with the reason, and nothing is written. Listing the mailbox among the targets
// keeps a copy there, as in Postfix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { createAlias } from '../../server/services/aliases/create-alias';
import { createDomain } from '../../server/services/domains/create-domain';
import { startTestEngine, type TestEngine } from '../helpers/start-test-engine';

describe('aliases', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({
      users: [
        { address: 'alice@alias.test', password: 'alice-password-1' },
        { address: 'bob@alias.test', password: 'bob-password-1' },
      ],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'alias.test', kind: 'LOCAL' });
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });
  const aliases = () => t.db.alias.findMany({ orderBy: [{ address: 'asc' }, { target: 'asc' }] }).then((l) => l.map((a) => `${a.address} -> ${a.target}`));

  it('refuses an alias over a mailbox, unless the mailbox is one of its targets', async () => {
    await expect(createAlias(t.db, CLI_ACTOR, { address: 'alice@alias.test', targets: ['bob@alias.test'] })).rejects.toThrow(
      'alice@alias.test is a mailbox: an alias with that address would send its mail to bob@alias.test instead.',
    );
    expect(await aliases()).toEqual([]);
    await createAlias(t.db, CLI_ACTOR, { address: 'alice@alias.test', targets: ['alice@alias.test', 'bob@alias.test'] });
    expect(await aliases()).toEqual(['alice@alias.test -> alice@alias.test', 'alice@alias.test -> bob@alias.test']);
  });

  it('refuses a loop, naming it', async () => {
    await createAlias(t.db, CLI_ACTOR, { address: 'sales@alias.test', targets: ['team@alias.test'] });
    await createAlias(t.db, CLI_ACTOR, { address: 'team@alias.test', targets: ['bob@alias.test', 'desk@alias.test'] });
    const before = await aliases();
    await expect(createAlias(t.db, CLI_ACTOR, { address: 'desk@alias.test', targets: ['sales@alias.test'] })).rejects.toThrow(
      'desk@alias.test → sales@alias.test → team@alias.test → desk@alias.test would be a loop',
    );
    expect(await aliases()).toEqual(before);
    // Not a loop: two aliases sharing a target.
    await createAlias(t.db, CLI_ACTOR, { address: 'desk@alias.test', targets: ['bob@alias.test'] });
  });
});
