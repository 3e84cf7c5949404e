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
