// The policy's history stays reachable: after 60 changes the revision before them is found
// by following "Older revisions" (20 a page), the revision list filters by who and by what,
// and the audit log filters by kind and pages on. Over real HTTP against `postern serve`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../server/services/actor';
import { createUser } from '../../server/services/users/create-user';
import { consoleLogin, request, type Jar } from '../helpers/console-http';
import { startPostern, type RunningPostern } from '../helpers/start-postern';
import { createPrismaClient, type Db } from '../../prisma/client';

const PASSWORD = 'history-admin-password-1';

describe('policy history and audit log', () => {
  let p: RunningPostern;
  let db: Db;
  let jar: Jar;
  let before = 0;
  const page = async (path: string) => {
    const r = await request(p.webUrl, { path, cookie: jar.cookie });
    expect(r.status).toBe(200);
    return r.body;
  };
  const revisionsOn = (html: string) => [...html.matchAll(/data-revision="(\d+)"/g)].map((m) => Number(m[1]));
  const olderLink = (html: string, text: string) => [...html.matchAll(/href="([^"]+)"[^>]*>([^<]*)<\/a>/g)].find((m) => m[2] === text)?.[1]?.replace(/&amp;/g, '&');

  beforeAll(async () => {
    p = await startPostern({ env: { POSTERN_ADMIN_PASSWORD: PASSWORD } });
    db = await createPrismaClient(`file:${p.dataDir}/postern.db`);
    before = (await db.policyRevision.aggregate({ _max: { id: true } }))._max.id ?? 0;
    for (let i = 0; i < 60; i++) await createUser(db, CLI_ACTOR, { address: `u${i}@localhost`, password: `user-password-${i}-long`, role: 'USER', hasMailbox: true });
    jar = (await consoleLogin(p.webUrl, '127.0.33.1', 'admin@localhost', PASSWORD)).jar;
  }, 120_000);
  afterAll(async () => {
    await db?.$disconnect();
    await p?.stop();
  });

  it('reaches the revision before 60 changes by following Older revisions', async () => {
    let html = await page('/policy');
    const seen: number[] = [];
    for (let n = 0; n < 5 && !seen.includes(before); n++) {
      seen.push(...revisionsOn(html));
      const next = olderLink(html, 'Older revisions');
      if (!next) break;
      html = await page(next);
    }
    expect(seen).toContain(before);
    expect(seen.slice(0, 20)).toHaveLength(20);
    expect(new Set(seen).size).toBe(seen.length); // no revision twice across pages
  });

  it('filters revisions by what they changed, and the audit log by kind, with pages', async () => {
    const filtered = revisionsOn(await page(`/policy?revQ=${encodeURIComponent('u59@localhost')}`));
    expect(filtered).toHaveLength(1);
    const audit = await page('/audit?kind=user');
    const kinds = [...audit.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(kinds.length).toBeGreaterThanOrEqual(60); // the 60, and the first admin made at start
    expect(new Set(kinds)).toEqual(new Set(['user.create']));
    const settings = await page('/audit?kind=settings');
    expect([...settings.matchAll(/data-action="([^"]+)"/g)].every((m) => m[1]!.startsWith('settings'))).toBe(true);
  });
});
