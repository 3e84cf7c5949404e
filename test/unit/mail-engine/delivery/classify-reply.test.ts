// What the queue and the log say about a failed delivery attempt: Postfix's wording, so
// pflogsumm groups the reasons and an operator recognises them.
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../../mail-engine/delivery/classify-reply';

const relay = 'mx.example.net[192.0.2.7]:25';

describe('classifyError', () => {
  it('words socket errors as Postfix does', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 192.0.2.7:25'), { code: 'ECONNECTION' });
    expect(classifyError(refused, relay)).toEqual({ kind: 'deferred', dsn: '4.4.1', text: `connect to ${relay}: Connection refused`, relay });
    expect(classifyError(new Error('connect ETIMEDOUT 192.0.2.7:25'), relay).text).toBe(`connect to ${relay}: Connection timed out`);
    expect(classifyError(new Error('connect EHOSTUNREACH 192.0.2.7:25'), relay).text).toBe(`connect to ${relay}: No route to host`);
  });

  it('keeps an error it cannot name as it came', () => {
    expect(classifyError(new Error('Greeting never received'), relay).text).toBe(`connect to ${relay}: Greeting never received`);
  });

  it('a 4xx reply defers with its enhanced code, a 5xx bounces', () => {
    const busy = Object.assign(new Error('x'), { responseCode: 421, response: '421 4.7.0 Try again later' });
    expect(classifyError(busy, relay)).toMatchObject({ kind: 'deferred', dsn: '4.7.0', text: `host ${relay} said: 421 4.7.0 Try again later` });
    const unknown = Object.assign(new Error('x'), { responseCode: 550, response: '550 5.1.1 <a@example.net>: Recipient address rejected:\n User unknown' });
    expect(classifyError(unknown, relay)).toMatchObject({ kind: 'bounced', dsn: '5.1.1', text: `host ${relay} said: 550 5.1.1 <a@example.net>: Recipient address rejected: User unknown` });
    const bare = Object.assign(new Error('x'), { responseCode: 554, response: '554 go away' });
    expect(classifyError(bare, relay)).toMatchObject({ kind: 'bounced', dsn: '5.0.0' });
  });
});
