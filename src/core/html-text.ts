/**
 * An HTML mail body as the text a person reads: tags stripped, entities decoded, block
 * elements on lines of their own, and the quoted message left out (blockquotes, and everything
 * from the quote container mail apps put under a reply). Mail HTML is read for its words,
 * never rendered.
 */

import { convert } from 'html-to-text';

/** Tags a mail body in HTML holds; "<alex@example.com>" or "<3" in plain text is none of them. */
const HTML_TAG = /<(?:\/?(?:html|head|body|div|p|br|span|blockquote|table|tbody|tr|td|th|font|b|i|u|strong|em|a|ul|ol|li|hr|h[1-6]|img|meta|style|center)\b[^<>]*|!--[\s\S]*?--)>/i;

export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

/** Where mail apps start the quoted message: Gmail, Yahoo, Thunderbird, Outlook on the web. */
const QUOTE_CONTAINER = /<div\b[^>]*(?:class\s*=\s*["'][^"']*\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix)\b|id\s*=\s*["'](?:appendonsend|divRplyFwdMsg)["'])[^>]*>/i;

/**
 * The text of an HTML mail body, read by html-to-text (a real HTML parser: entities, broken
 * markup and tables are its business), with the quoted message left out: blockquotes, the
 * elements mail apps wrap a quote in, and everything after Outlook's reply header.
 */
export function htmlToText(html: string): string {
  const container = QUOTE_CONTAINER.exec(html);
  const mine = container ? html.slice(0, container.index) : html;
  return convert(mine, {
    wordwrap: false,
    selectors: [
      { selector: 'blockquote', format: 'skip' },
      // a paragraph is a line, as a person reads a short reply; not set apart by blank lines
      { selector: 'p', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      // Outlook's separator above a quote: a line the reader cuts at, as in plain text
      { selector: 'hr', format: 'horizontalLine', options: { length: 10, trailingLineBreaks: 1 } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  })
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/-{10}/g, '__________')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
