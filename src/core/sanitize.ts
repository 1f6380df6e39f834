/**
 * Customer text is untrusted: ticket subjects and bodies can carry terminal escape sequences
 * (cursor moves, title changes, OSC 8 links, clipboard writes) and bidi overrides that make
 * text read differently from what it is. Strip them before anything reaches a terminal.
 */
import stripAnsi from 'strip-ansi';

// C0 controls except tab and newline, DEL, C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidi embeddings, overrides and isolates (the "Trojan Source" set).
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/g;

/** Strips escape sequences and control characters; keeps newlines and tabs. */
export function sanitizeText(text: string): string {
  return stripAnsi(text).replace(CONTROL, '').replace(BIDI_CONTROL, '');
}

/** For one table cell or one line: also folds newlines and tabs into single spaces. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/[\t\r\n]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}
