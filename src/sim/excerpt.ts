/**
 * Quoting what a user gave inside an error message: a short excerpt, with control characters
 * escaped, so a 100 MB trace line or a binary file cannot flood the terminal or split the
 * one-line message.
 */

/** Characters of the input an error message quotes at most. */
export const EXCERPT_CHARS = 60;

function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

function longer(text: string, max: number): string {
  return text.length > max ? `… (${text.length} characters)` : '';
}

/** `text` cut to `max` characters (then `… (N characters)`), control characters escaped. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return `${escapeControls(text.slice(0, max))}${longer(text, max)}`;
}

/** The same excerpt in single quotes: `'a\tb'`, `'xxxx'… (70 characters)`. */
export function quoteExcerpt(text: string, max = EXCERPT_CHARS): string {
  return `'${escapeControls(text.slice(0, max))}'${longer(text, max)}`;
}
