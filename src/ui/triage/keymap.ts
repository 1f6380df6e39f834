/**
 * The triage screen's keys: (mode, input, key) → command. Pure, so the whole map is tested
 * without rendering; the help overlay is generated from KEY_HELP.
 */

/** The subset of Ink's Key the map reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export type KeyMode =
  | 'list'
  | 'thread'
  | 'help'
  | 'prompt'
  | 'editor'
  | 'loading'
  | 'replyLoading'
  | 'replyPick'
  | 'replyPreview'
  | 'macroPreview'
  | 'bulkPreview';

export type ActionKey = 'assign' | 'escalate' | 'priority' | 'tag' | 'status' | 'note' | 'reply';

export type TriageCommand =
  | { type: 'quit' }
  | { type: 'move'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'edge'; where: 'first' | 'last' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'help' }
  | { type: 'mark' }
  | { type: 'clearMarks' }
  | { type: 'action'; action: ActionKey }
  | { type: 'filter' }
  | { type: 'view' }
  | { type: 'refresh' }
  | { type: 'scroll'; delta: number }
  | { type: 'scrollPage'; direction: 1 | -1 }
  | { type: 'promptText'; text: string }
  | { type: 'promptBackspace' }
  | { type: 'promptClear' }
  | { type: 'promptSubmit' }
  | { type: 'promptCancel' }
  | { type: 'promptHighlight'; delta: number }
  | { type: 'promptComplete' }
  | { type: 'replyText'; text: string }
  | { type: 'replyBackspace' }
  | { type: 'replyClear' }
  | { type: 'replyHighlight'; delta: number }
  | { type: 'replyChoose' }
  | { type: 'replySend'; note: boolean; /** Zendesk's "Submit as pending / solved" */ status?: 'pending' | 'solved' }
  | { type: 'replyEdit' }
  /** The previewed macro's changes, sent as one update. */
  | { type: 'macroApply' }
  | { type: 'replyScroll'; delta: number }
  | { type: 'replyBack' }
  | { type: 'replyCancel' }
  | { type: 'bulkSend'; status?: 'pending' | 'solved' };

const ACTION_KEYS: Record<string, ActionKey> = {
  a: 'assign',
  e: 'escalate',
  p: 'priority',
  t: 'tag',
  s: 'status',
  n: 'note',
  r: 'reply',
};

/** The key list the help overlay shows, in order. */
export const KEY_HELP: ReadonlyArray<readonly [string, string]> = [
  ['j / k, ↓ / ↑', 'move down / up (PgDn / PgUp, g / G for a page, the ends)'],
  ['enter', 'open the full thread (j / k scroll, esc back)'],
  ['a', 'assign: pick an agent, "me" first'],
  ['e', 'escalate: escalations group, priority one step up, internal note with the reason'],
  ['p', 'set priority'],
  ['t', 'add tags (-tag removes)'],
  ['s', 'set status'],
  ['n', 'add an internal note'],
  ['r', "reply from a template (suggested first; type to filter), apply one of the desk's macros, or write your own in $EDITOR"],
  ['  preview', 'enter / y send as a public reply · p send and set pending · s send and set solved · n as an internal note · e edit · esc back'],
  ['  macro', 'every change the macro makes and its comment: enter / y apply them in one update · esc back'],
  ['space', 'mark a ticket and move to the next; the next change applies to every marked ticket'],
  ['esc', 'clear the marks'],
  ['/', 'filter with search terms, as `ticket list --query` (empty clears)'],
  ['v', 'switch view: mine, unassigned, all, group:NAME'],
  ['ctrl-r', 'reload the queue now'],
  ['?', 'this help (esc closes)'],
  ['q', 'quit'],
];

/** One keypress (or one run of typed text) out of what the terminal delivered at once. */
export interface KeyEvent {
  input: string;
  key: KeyInfo;
}

/**
 * Splits what arrived in one read into keypresses. A terminal delivers keys typed (or sent by
 * a script) in quick succession as one chunk: Ink passes "jjjjj" or "e2e-checked\r" to the
 * input handler as a single string, which no key in the map matches, so the whole burst was
 * lost. Escape sequences (arrows, function keys) arrive already split, and a chunk Ink
 * recognised as one key (its `key` has a flag set) is kept whole. Runs of printable text stay
 * together (a paste into a prompt is one edit); each control character becomes its own key.
 */
export function splitKeys(input: string, key: KeyInfo): KeyEvent[] {
  const chars = [...input];
  if (chars.length <= 1 || input.includes('\u001b') || Object.values(key).some((v) => v === true)) return [{ input, key }];
  const events: KeyEvent[] = [];
  let text = '';
  for (const ch of chars) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code !== 0x7f) {
      text += ch;
      continue;
    }
    if (text) events.push({ input: text, key: {} });
    text = '';
    events.push(controlKey(code));
  }
  if (text) events.push({ input: text, key: {} });
  return events;
}

function controlKey(code: number): KeyEvent {
  if (code === 0x0d || code === 0x0a) return { input: '', key: { return: true } };
  if (code === 0x09) return { input: '', key: { tab: true } };
  if (code === 0x7f || code === 0x08) return { input: '', key: { backspace: true } };
  if (code === 0x1b) return { input: '', key: { escape: true, meta: true } };
  // ctrl-a .. ctrl-z, as Ink names them
  return { input: String.fromCharCode(code + 0x60), key: { ctrl: true } };
}

/** Modes where typed text is an edit of one input line, taken as a run. */
export function takesText(mode: KeyMode): boolean {
  return mode === 'prompt' || mode === 'replyPick';
}

function isPrintable(input: string, key: KeyInfo): boolean {
  if (key.ctrl || key.meta || key.return || key.escape || key.tab) return false;
  if (input === '') return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f]/.test(input);
}

export function commandFor(mode: KeyMode, input: string, key: KeyInfo): TriageCommand | null {
  if (mode === 'editor') return null;

  if (mode === 'replyLoading') return key.escape ? { type: 'replyCancel' } : null;

  if (mode === 'replyPick') {
    if (key.escape) return { type: 'replyCancel' };
    if (key.return) return { type: 'replyChoose' };
    if (key.upArrow) return { type: 'replyHighlight', delta: -1 };
    if (key.downArrow || key.tab) return { type: 'replyHighlight', delta: 1 };
    if (key.backspace || key.delete) return { type: 'replyBackspace' };
    if (key.ctrl && input === 'u') return { type: 'replyClear' };
    if (isPrintable(input, key)) return { type: 'replyText', text: input };
    return null;
  }

  if (mode === 'bulkPreview') {
    if (key.escape) return { type: 'replyCancel' };
    if (key.ctrl || key.meta) return null;
    if (key.return || input === 'y') return { type: 'bulkSend' };
    if (input === 'p') return { type: 'bulkSend', status: 'pending' };
    if (input === 's') return { type: 'bulkSend', status: 'solved' };
    return null;
  }

  if (mode === 'macroPreview') {
    if (key.escape) return { type: 'replyBack' };
    if (key.ctrl || key.meta) return null;
    if (key.return || input === 'y') return { type: 'macroApply' };
    if (input === 'j' || key.downArrow) return { type: 'replyScroll', delta: 1 };
    if (input === 'k' || key.upArrow) return { type: 'replyScroll', delta: -1 };
    if (key.pageDown || input === ' ') return { type: 'replyScroll', delta: 10 };
    if (key.pageUp) return { type: 'replyScroll', delta: -10 };
    return null;
  }

  if (mode === 'replyPreview') {
    if (key.escape) return { type: 'replyBack' };
    if (key.ctrl || key.meta) return null;
    if (key.return || input === 'y') return { type: 'replySend', note: false };
    if (input === 'n') return { type: 'replySend', note: true };
    if (input === 'p') return { type: 'replySend', note: false, status: 'pending' };
    if (input === 's') return { type: 'replySend', note: false, status: 'solved' };
    if (input === 'e') return { type: 'replyEdit' };
    if (input === 'j' || key.downArrow) return { type: 'replyScroll', delta: 1 };
    if (input === 'k' || key.upArrow) return { type: 'replyScroll', delta: -1 };
    if (key.pageDown || input === ' ') return { type: 'replyScroll', delta: 10 };
    if (key.pageUp) return { type: 'replyScroll', delta: -10 };
    return null;
  }

  if (mode === 'prompt') {
    if (key.escape) return { type: 'promptCancel' };
    if (key.return) return { type: 'promptSubmit' };
    if (key.upArrow) return { type: 'promptHighlight', delta: -1 };
    if (key.downArrow) return { type: 'promptHighlight', delta: 1 };
    if (key.tab) return { type: 'promptComplete' };
    if (key.backspace || key.delete) return { type: 'promptBackspace' };
    if (key.ctrl && input === 'u') return { type: 'promptClear' };
    if (isPrintable(input, key)) return { type: 'promptText', text: input };
    return null;
  }

  if (mode === 'help') {
    if (key.escape || input === '?' || input === 'q') return { type: 'back' };
    return null;
  }

  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (key.ctrl && input === 'r') return { type: 'refresh' };
  if (input === 'q' && !key.ctrl && !key.meta) return { type: 'quit' };
  if (input === '?') return { type: 'help' };

  if (mode === 'loading') return null;

  if (mode === 'thread') {
    if (key.escape || key.leftArrow) return { type: 'back' };
    if (input === 'j' || key.downArrow) return { type: 'scroll', delta: 1 };
    if (input === 'k' || key.upArrow) return { type: 'scroll', delta: -1 };
    if (key.pageDown || input === ' ') return { type: 'scrollPage', direction: 1 };
    if (key.pageUp) return { type: 'scrollPage', direction: -1 };
    if (input === 'g' || key.home) return { type: 'scroll', delta: -Infinity };
    if (input === 'G' || key.end) return { type: 'scroll', delta: Infinity };
    const action = ACTION_KEYS[input];
    if (action && !key.ctrl && !key.meta) return { type: 'action', action };
    return null;
  }

  // list
  if (input === 'j' || key.downArrow) return { type: 'move', delta: 1 };
  if (input === 'k' || key.upArrow) return { type: 'move', delta: -1 };
  if (key.pageDown) return { type: 'page', direction: 1 };
  if (key.pageUp) return { type: 'page', direction: -1 };
  if (input === 'g' || key.home) return { type: 'edge', where: 'first' };
  if (input === 'G' || key.end) return { type: 'edge', where: 'last' };
  if (key.return || key.rightArrow) return { type: 'open' };
  if (key.escape) return { type: 'clearMarks' };
  if (input === ' ') return { type: 'mark' };
  if (input === '/') return { type: 'filter' };
  if (input === 'v') return { type: 'view' };
  const action = ACTION_KEYS[input];
  if (action && !key.ctrl && !key.meta) return { type: 'action', action };
  return null;
}
