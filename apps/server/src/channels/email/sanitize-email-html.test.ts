import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from './sanitize-email-html.ts';

describe('sanitizeEmailHtml', () => {
  it('removes scripts, styles, event handlers and javascript: URLs', () => {
    const html = sanitizeEmailHtml(
      '<style>body{background:url(https://t.example/x)}</style><p onclick="steal()" style="color:red">Hi <b>there</b><script>steal()</script></p><a href="javascript:alert(1)">x</a><iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="p"></form>',
    );
    expect(html).toBe('<p>Hi <b>there</b></p><a target="_blank" rel="noopener noreferrer nofollow">x</a>');
  });

  it('keeps links, tables and inline images; drops remote images', () => {
    const html = sanitizeEmailHtml('<table width="100%"><tr><td align="center"><a href="https://acme.test/order">Order</a><img src="cid:logo@acme" alt="logo"><img src="https://tracker.example/p.gif" width="1"></td></tr></table>');
    expect(html).toBe('<table width="100%"><tr><td align="center"><a href="https://acme.test/order" target="_blank" rel="noopener noreferrer nofollow">Order</a><img src="cid:logo@acme" alt="logo" /></td></tr></table>');
  });

  it('drops relative image sources and unlinks relative links: they would point into the agent app, signed in', () => {
    const html = sanitizeEmailHtml('<img src=x onerror=alert(1)><img src="/api/v1/moments"><img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"><a href="/api/v1/keys">keys</a><a href="mailto:ann@example.com">mail</a>');
    expect(html).toBe('<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" /><a target="_blank" rel="noopener noreferrer nofollow">keys</a><a href="mailto:ann@example.com" target="_blank" rel="noopener noreferrer nofollow">mail</a>');
  });

  it('neutralises tricks: entity-encoded schemes, SVG, meta refresh, base', () => {
    const html = sanitizeEmailHtml('<a href="jav&#x61;script:alert(1)">a</a><svg onload="x()"><script>x()</script></svg><meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">ok');
    expect(html).not.toMatch(/script|onload|svg|meta|base|evil/i);
    expect(html).toContain('ok');
  });
});
