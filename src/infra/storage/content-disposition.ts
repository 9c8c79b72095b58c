// Content-Disposition: attachment with the user's file name, safe for any name: an ASCII
// fallback in `filename` (quotes, backslashes, control and non-ASCII characters replaced) and the
// exact name in `filename*` (RFC 6266 / RFC 8187, UTF-8 percent-encoded).

/** RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A name fit to show and to save: the last path component only, without control characters,
 * trimmed, at most 255 characters; `fallback` when nothing is left.
 */
export function safeFileName(name: string | undefined, fallback = 'file'): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  const withoutDots = /^\.+$/.test(cleaned) ? '' : cleaned;
  const limited = Array.from(withoutDots).slice(0, 255).join('');
  return limited === '' ? fallback : limited;
}

export function attachmentDisposition(name: string): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(safe)}`;
}
