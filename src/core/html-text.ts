/**
 * An HTML mail body as the text a person reads: tags stripped, entities decoded, block
 * elements on lines of their own, and the quoted message left out (blockquotes, and everything
 * from the quote container mail apps put under a reply). Pure, and no parser: mail HTML is
 * read for its words, never rendered.
 */

/** Tags a mail body in HTML holds; "<alex@example.com>" or "<3" in plain text is none of them. */
const HTML_TAG = /<(?:\/?(?:html|head|body|div|p|br|span|blockquote|table|tbody|tr|td|th|font|b|i|u|strong|em|a|ul|ol|li|hr|h[1-6]|img|meta|style|center)\b[^<>]*|!--[\s\S]*?--)>/i;

export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

/** Where mail apps start the quoted message: Gmail, Yahoo, Thunderbird, Outlook on the web. */
const QUOTE_CONTAINER = /<div\b[^>]*(?:class\s*=\s*["'][^"']*\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix)\b|id\s*=\s*["'](?:appendonsend|divRplyFwdMsg)["'])[^>]*>/i;
const SOFT_BREAK = '\u0000';
const BLOCK_TAG = /<\/?(?:p|div|tr|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tfoot|section|article|header|footer|pre|address|center|form)\b[^>]*>/gi;

export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(head|style|script|title|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '');
  const container = QUOTE_CONTAINER.exec(s);
  if (container) s = s.slice(0, container.index);
  // Quoted text: blockquotes, innermost first so nested ones go too; one never closed runs to the end.
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(/<blockquote\b[^>]*>(?:(?!<blockquote\b)[\s\S])*?<\/blockquote\s*>/gi, '\n');
  }
  s = s.replace(/<blockquote\b[\s\S]*$/i, '');
  // In HTML a line break in the source is a space; lines come from the tags.
  s = s.replace(/[ \t\r\n\f]+/g, ' ');
  s = s.replace(/<hr\b[^>]*>/gi, '\n__________\n');
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  // A block starts a line: "<div>a</div><div>b</div>" is two lines, "<div><br></div>" an empty one.
  s = s.replace(BLOCK_TAG, SOFT_BREAK);
  s = s.replace(/<\/?(?:td|th)\b[^>]*>/gi, ' ');
  s = s.replace(/<\/?[a-z][^<>]*>/gi, '');
  s = decodeEntities(s.replace(/[ \t]*\u0000[ \t]*/g, SOFT_BREAK));
  let lines = '';
  for (const part of s.split(SOFT_BREAK)) lines += lines === '' || lines.endsWith('\n') ? part : `\n${part}`;
  return lines
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: ' ', emsp: ' ', thinsp: ' ', shy: '',
  ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  laquo: '«', raquo: '»', bull: '•', middot: '·', euro: '€', pound: '£', yen: '¥', cent: '¢', copy: '©', reg: '®',
  trade: '™', deg: '°', times: '×', divide: '÷', frac12: '½', frac14: '¼', frac34: '¾', iexcl: '¡', iquest: '¿',
  szlig: 'ß', ccedil: 'ç', Ccedil: 'Ç', ntilde: 'ñ', Ntilde: 'Ñ', oslash: 'ø', Oslash: 'Ø', aelig: 'æ', AElig: 'Æ',
  oelig: 'œ', OElig: 'Œ', ordf: 'ª', ordm: 'º', sect: '§', para: '¶', hearts: '♥', star: '☆', starf: '★',
};
// Accented vowels: &eacute; &uuml; &Agrave; ...
const ACCENTS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', uml: '\u0308', tilde: '\u0303', ring: '\u030a' };
for (const base of 'aeiouyAEIOUY') {
  for (const [name, mark] of Object.entries(ACCENTS)) {
    const c = `${base}${mark}`.normalize('NFC');
    if ([...c].length === 1) NAMED[`${base}${name}`] = c;
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z][a-z0-9]{1,7}));/gi, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return Object.hasOwn(NAMED, name) ? NAMED[name]! : whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}
