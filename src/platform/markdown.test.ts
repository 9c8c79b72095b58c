// Rendering untrusted question text: hostile markdown and HTML must come out inert.
import { describe, expect, it } from 'vitest';
import { plainText, renderInlineRichText, renderRichText } from './markdown.ts';

describe('renderRichText', () => {
  it('renders markdown', () => {
    expect(renderRichText('Hello **world**, `x` and [a link](https://example.org/a)')).toBe(
      '<p>Hello <strong>world</strong>, <code>x</code> and <a href="https://example.org/a" rel="noopener noreferrer nofollow" target="_blank">a link</a></p>',
    );
    expect(renderInlineRichText('a *b*')).toBe('a <em>b</em>');
  });

  it.each([
    ['<script>alert(1)</script>text', '<script'],
    ['Before\n\n<script>alert(1)</script>\n\nafter', 'alert(1)'],
    // markdown-it refuses the link: the text stays literal, inert text.
    ['[click](javascript:alert(1))', '<a'],
    ['[click](JaVaScRiPt:alert(1))', '<a'],
    ['<a href="javascript:alert(1)">x</a>', 'javascript:'],
    ['<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', 'data:'],
    ['<img src="x" onerror="alert(1)">', 'onerror'],
    ['<img src=x onerror=alert(1)>', 'onerror'],
    ['![x](javascript:alert(1))', '<img'],
    ['<div onclick="steal()">hi</div>', 'onclick'],
    ['<iframe src="https://evil.example"></iframe>', 'iframe'],
    ['<svg onload="alert(1)"><circle/></svg>', 'onload'],
    ['<style>body{display:none}</style>text', 'display:none'],
    ['<p style="position:fixed">x</p>', 'style='],
    ['<form action="https://evil.example"><input name="p"></form>', '<input'],
    ['<object data="x.swf"></object><embed src="x.swf">', 'swf'],
    ['<math><mi xlink:href="javascript:alert(1)">x</mi></math>', 'javascript:'],
    ['<a href="&#106;avascript:alert(1)">x</a>', 'avascript'],
  ])('neutralises %s', (input, forbidden) => {
    const html = renderRichText(input);
    expect(html.toLowerCase()).not.toContain(forbidden.toLowerCase());
    expect(html).not.toMatch(/<script|\son\w+=|(href|src)\s*=\s*["']?\s*javascript:/i);
  });

  it('keeps harmless HTML from Moodle exports', () => {
    expect(renderRichText('<p>H<sub>2</sub>O is <b>water</b></p>', 'html')).toBe(
      '<p>H<sub>2</sub>O is <b>water</b></p>',
    );
    expect(renderRichText('<img src="https://example.org/a.png" alt="diagram">', 'html')).toBe(
      '<img src="https://example.org/a.png" alt="diagram" />',
    );
  });

  it('escapes text that only looks like HTML', () => {
    expect(renderRichText('3 < 4 and 5 > 2 & so on')).toBe(
      '<p>3 &lt; 4 and 5 &gt; 2 &amp; so on</p>',
    );
  });

  it('gives plain text for excerpts and search', () => {
    expect(plainText('# Title\n\nSome **bold** <b>html</b> &amp; 3 < 4')).toBe(
      'Title Some bold html & 3 < 4',
    );
  });
});
