// SMTP-supplied text in the console: control and bidirectional-override characters are shown
// escaped, and long values are cut (the whole, escaped, in the title).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { escapeInvisible, UntrustedText } from '../../../components/logs/untrusted-text';

describe('untrusted text', () => {
  it('escapes control and bidi characters', () => {
    expect(escapeInvisible('evil\u202Egpj.exe')).toBe('evil\\u202egpj.exe');
    expect(escapeInvisible('a\u0000b\u001bc\u200fd\u2066e')).toBe('a\\u0000b\\u001bc\\u200fd\\u2066e');
    expect(escapeInvisible('plain Ünïcode ✓')).toBe('plain Ünïcode ✓');
  });

  it('cuts a long value and keeps the whole in the title', () => {
    const html = renderToStaticMarkup(<UntrustedText value={`${'x'.repeat(500)}\u202E`} max={20} />);
    expect(html).toContain(`${'x'.repeat(20)}… `);
    expect(html).toContain('(506 characters)');
    expect(html).toContain(`title="${'x'.repeat(500)}\\u202e"`);
  });
});

describe('the queue list', () => {
  it('shows a sender, a recipient and a next hop’s reply escaped and cut', async () => {
    const { QueueList } = await import('../../../components/queue/queue-list');
    const html = renderToStaticMarkup(
      <QueueList
        canManage={false}
        action={async () => ({ ok: true, data: null })}
        items={[{ id: 'Q1', held: false, sender: 'ceo\u202Egro.example@x.example', size: 1, receivedAt: 'now', recipients: [{ id: 1, address: 'a@b.example', state: 'DEFERRED', attempts: 1, lastError: `451 ${'y'.repeat(400)}` }] }]}
      />,
    );
    expect(html).toContain('ceo\\u202egro.example@x.example');
    expect(html).not.toContain('\u202E');
    expect(html).toContain('(404 characters)');
  });
});
