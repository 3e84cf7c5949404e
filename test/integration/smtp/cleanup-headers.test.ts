// Cleanup's missing headers (Postfix's cleanup_message.c): a message without Message-Id: and
// Date: gets them only when its client is in local_header_rewrite_clients (by default
// permit_inet_interfaces: this machine itself); otherwise it is stored as sent and the log
// says message-id=<>, never naming an id the message does not carry.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailRootOf, maildirFor } from '../../../mail-engine/delivery/deliver-maildir';
import { CLI_ACTOR } from '../../../server/services/actor';
import { createDomain } from '../../../server/services/domains/create-domain';
import { updateSettings } from '../../../server/services/settings/update-settings';
import { pythonSmtp } from '../../helpers/clients';
import { startTestEngine, type TestEngine } from '../../helpers/start-test-engine';
import { waitFor } from '../../helpers/wait';

const maildirNew = (t: TestEngine, address: string) => {
  const dir = path.join(maildirFor(mailRootOf(t.dataDir), address), 'new');
  return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
};

describe('missing Message-Id and Date', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({
      users: [{ address: 'bob@test.net', password: 'bob-password-1' }],
      setup: async (db) => {
        await createDomain(db, CLI_ACTOR, { name: 'test.net', kind: 'LOCAL' });
        await updateSettings(db, CLI_ACTOR, { smtpd_error_sleep_time: '0' });
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('adds a missing Message-Id and Date only for local_header_rewrite_clients, and never logs an id the message lacks', async () => {
    const logOf = (queueId: string) => waitFor(() => readFileSync(path.join(t.dataDir, 'log', 'mail.log'), 'utf8').split('\n').filter((l) => l.includes(`${queueId}: `)), (l) => l.some((x) => x.includes('message-id=')));
    // A remote client (not this machine's address): stored as sent, logged message-id=<> as Postfix does.
    const remote = await pythonSmtp({ port: t.port(), source: '127.0.1.9', from: 'sender@example.org', to: ['bob@test.net'], body: 'Subject: no id from afar\r\n\r\nhi\r\n' });
    const remoteId = /queued as ([0-9A-F]+)/.exec(remote.stdout)![1]!;
    const far = maildirNew(t, 'bob@test.net').find((m) => m.includes('Subject: no id from afar'))!;
    expect(far).not.toMatch(/^Message-Id:/im);
    expect(far).not.toMatch(/^Date:/im);
    expect((await logOf(remoteId)).join('\n')).toMatch(new RegExp(`postfix/cleanup\\[\\d+\\]: ${remoteId}: message-id=<>$`, 'm'));
    // This machine (permit_inet_interfaces, the default): cleanup's Message-Id and Date, logged.
    const local = await pythonSmtp({ port: t.port(), source: '127.0.0.1', from: 'sender@example.org', to: ['bob@test.net'], body: 'Subject: no id from here\r\n\r\nhi\r\n' });
    const localId = /queued as ([0-9A-F]+)/.exec(local.stdout)![1]!;
    const here = maildirNew(t, 'bob@test.net').find((m) => m.includes('Subject: no id from here'))!;
    const added = new RegExp(`^Message-Id: <(\\d{14}\\.${localId}@[^>]+)>`, 'm').exec(here)?.[1];
    expect(added).toBeTruthy();
    expect(here).toMatch(/^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [ \d]\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000 \(UTC\)$/m);
    expect((await logOf(localId)).join('\n')).toContain(`${localId}: message-id=<${added}>`);
    // A message that has its own keeps it, and the log names it.
    const own = await pythonSmtp({ port: t.port(), source: '127.0.1.9', from: 'sender@example.org', to: ['bob@test.net'], body: 'Subject: own id\r\nMessage-ID: <own.1@example.org>\r\n\r\nhi\r\n' });
    const ownId = /queued as ([0-9A-F]+)/.exec(own.stdout)![1]!;
    expect((await logOf(ownId)).join('\n')).toContain(`${ownId}: message-id=<own.1@example.org>`);
  });
});
