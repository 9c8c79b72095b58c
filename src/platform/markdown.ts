// Markdown (and the HTML Moodle exports) to HTML that is safe to put into a page. Authors,
// imported files and language models all write text that ends up here, so nothing is trusted:
// markdown-it turns markdown into HTML, then sanitize-html keeps only an allow-list of tags and
// attributes and only http(s) and mailto links. The web app inserts the result as HTML.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

export type TextFormat = 'markdown' | 'html';

const markdown = new MarkdownIt({
  // Inline HTML is allowed through markdown-it (Moodle questions often carry <sub>, <br>, <img>)
  // and then reduced to the allow-list below.
  html: true,
  linkify: false,
  typographer: false,
  breaks: true,
});

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'del',
    'ins',
    'mark',
    'sub',
    'sup',
    'small',
    'code',
    'pre',
    'kbd',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'span',
    'div',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'align'],
    td: ['colspan', 'rowspan', 'align'],
    ol: ['start'],
    code: ['class'],
  },
  allowedClasses: { code: [/^language-[a-z0-9+-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images only over https or as relative URLs of this site (the CSP decides what loads).
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  // <script> and <style> content goes away entirely instead of surviving as text.
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed'],
  transformTags: {
    // Links leave the app in a new tab without handing it a window reference.
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};
// The transform adds rel/target, which must then be allowed.
(SANITIZE_OPTIONS.allowedAttributes as Record<string, string[]>).a?.push('rel', 'target');

/** Sanitise HTML that claims to be safe-ish (Moodle [html] text). */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

/** Render author text in its format to sanitised HTML. */
export function renderRichText(text: string, format: TextFormat = 'markdown'): string {
  if (text === '') return '';
  const html = format === 'html' ? text : markdown.render(text);
  return sanitizeRichText(html).trim();
}

/** Render a short piece (an option, a feedback line) without a wrapping paragraph. */
export function renderInlineRichText(text: string, format: TextFormat = 'markdown'): string {
  if (text === '') return '';
  const html = format === 'html' ? text : markdown.renderInline(text);
  return sanitizeRichText(html).trim();
}

/** Plain text of author text, for excerpts and search: tags removed, entities decoded. */
export function plainText(text: string, format: TextFormat = 'markdown'): string {
  const html = renderRichText(text, format);
  const stripped = sanitizeHtml(html.replace(/<\/(p|li|h\d|tr|div)>|<br\s*\/?>/g, ' '), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}
