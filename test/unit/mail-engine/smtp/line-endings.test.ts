// The DATA line-ending check that keeps bare CR and bare LF (SMTP smuggling) out of the
// queue, over every way a message can be cut into chunks.
import { describe, expect, it } from 'vitest';
import { createLineEndingChecker } from '../../../../mail-engine/smtp/stages/on-data';

const check = (text: string, cuts: number[] = []) => {
  const c = createLineEndingChecker();
  const buf = Buffer.from(text, 'binary');
  let at = 0;
  for (const cut of [...cuts, buf.length]) {
    c.push(buf.subarray(at, cut));
    at = cut;
  }
  return c.bad;
};

describe('line endings in DATA', () => {
  const good = 'Subject: x\r\n\r\nline one\r\nline two\r\n';
  it('accepts CRLF everywhere, however the chunks fall', () => {
    for (let i = 0; i <= good.length; i++) expect(check(good, [i]), `cut at ${i}`).toBe(false);
  });
  it('refuses a bare LF, a bare CR, and a CR at the very end, wherever the cut is', () => {
    for (const bad of ['a\nb\r\n', 'a\rb\r\n', 'a\r\n\n', '\nabc\r\n', 'abc\r']) {
      for (let i = 0; i <= bad.length; i++) expect(check(bad, [i]), `${JSON.stringify(bad)} cut at ${i}`).toBe(true);
    }
  });
  it('catches the smuggling sequence <LF>.<LF>', () => {
    expect(check('Subject: s\r\n\r\nhi\n.\nMAIL FROM:<evil@x>\r\n')).toBe(true);
  });
});
