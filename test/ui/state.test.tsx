/** The triage screen's logic without rendering: reducer, key map, text layout. */
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/core/model.js';
import type { QueueItem } from '../../src/services/queue.js';
import { commandFor, splitKeys } from '../../src/ui/triage/keymap.js';
import type { RenderedReply } from '../../src/services/replies.js';
import { fit, layoutFor, lineText, listColumns, listRow, replyLines, truncate, windowStart, wrapText } from '../../src/ui/triage/format.js';
import {
  actionTargets,
  initialState,
  promptValue,
  reduce,
  replyChoice,
  replyChoices,
  type PromptState,
  type ReplyChoice,
  type TriageState,
} from '../../src/ui/triage/state.js';

function item(id: number, over: Partial<Ticket> = {}): QueueItem {
  const ticket = {
    id,
    subject: `Subject ${id}`,
    description: '',
    status: 'open',
    priority: 'normal',
    type: null,
    requester_id: 1,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z',
    ...over,
  } as Ticket;
  return { ticket, urgency: { score: 100 - id, reasons: [], sla: null }, vip: false };
}

function loaded(ids: number[], state = initialState()): TriageState {
  return reduce(state, { type: 'loaded', items: ids.map((id) => item(id)), total: ids.length, at: 0 });
}

describe('reduce', () => {
  it('moves within bounds and keeps the selection by id across a reload', () => {
    let s = loaded([1, 2, 3, 4]);
    expect(s.selectedId).toBe(1);
    s = reduce(s, { type: 'move', delta: -1 });
    expect(s.cursor).toBe(0);
    s = reduce(s, { type: 'move', delta: 2 });
    expect(s.selectedId).toBe(3);
    s = reduce(s, { type: 'move', delta: 10 });
    expect(s.selectedId).toBe(4);
    s = reduce(s, { type: 'moveTo', index: 2 });
    s = loaded([9, 3, 1], s); // 3 moved to the second row
    expect(s.selectedId).toBe(3);
    expect(s.cursor).toBe(1);
    s = loaded([7, 8], s); // 3 is gone: the cursor stays in range
    expect(s.cursor).toBe(1);
    expect(s.selectedId).toBe(8);
    s = loaded([], s);
    expect(s.selectedId).toBeNull();
  });

  it('marks and moves on, targets the marked tickets, and forgets marks of tickets that left', () => {
    let s = loaded([1, 2, 3]);
    s = reduce(s, { type: 'toggleMark' });
    s = reduce(s, { type: 'toggleMark' });
    expect([...s.marked]).toEqual([1, 2]);
    expect(s.selectedId).toBe(3);
    expect(actionTargets(s)).toEqual([1, 2]);
    s = loaded([2, 3], s);
    expect([...s.marked]).toEqual([2]);
    s = reduce(s, { type: 'clearMarks' });
    expect(actionTargets(s)).toEqual([3]);
  });

  it('keeps optimistic copies through a reload and rolls back refused changes', () => {
    let s = loaded([1, 2]);
    const original = s.items[0]!.ticket;
    s = reduce(s, { type: 'changeStarted', tickets: [{ ...original, status: 'pending' }] });
    expect(s.items[0]!.ticket.status).toBe('pending');
    expect(s.pending.has(1)).toBe(true);
    s = loaded([1, 2], s); // the desk has not answered yet: keep showing the change
    expect(s.items[0]!.ticket.status).toBe('pending');
    s = reduce(s, { type: 'changeSettled', confirmed: [], rolledBack: [original], status: { text: 'no', tone: 'error' }, clearMarks: false });
    expect(s.items[0]!.ticket.status).toBe('open');
    expect(s.pending.size).toBe(0);
    expect(s.outcomes.get(1)).toBe('failed');
    expect(s.status).toEqual({ text: 'no', tone: 'error' });
  });

  it('returns from a prompt to the thread it was opened from', () => {
    let s = loaded([1, 2]);
    s = reduce(s, { type: 'openThread' });
    s = reduce(s, { type: 'scrollThread', delta: 3, max: 10 });
    s = reduce(s, { type: 'scrollThread', delta: 30, max: 10 });
    expect(s.overlay).toEqual({ kind: 'thread', ticketId: 1, scroll: 10 });
    const prompt: PromptState = { purpose: 'note', title: 'Note', input: '', choices: [], highlighted: 0, targets: [1] };
    s = reduce(s, { type: 'openPrompt', prompt });
    expect(actionTargets(s)).toEqual([1]);
    s = reduce(s, { type: 'closeOverlay' });
    expect(s.overlay).toEqual({ kind: 'thread', ticketId: 1, scroll: 10 });
    s = reduce(s, { type: 'closeOverlay' });
    expect(s.overlay).toEqual({ kind: 'none' });
  });

  it('does not change the state when a load starts while one is shown as loading', () => {
    const s = initialState();
    expect(s.loading).toBe(true);
    expect(reduce(s, { type: 'loadStarted' })).toBe(s);
    const done = loaded([1]);
    expect(reduce(done, { type: 'loadStarted' }).loading).toBe(true);
  });

  it('runs the reply picker: choices filtered by name with own text last, preview, back, editor and back to the thread', () => {
    const suggested: ReplyChoice[] = [{ kind: 'suggested', name: 'apology-delay', detail: 'waited 3d' }];
    const templates: ReplyChoice[] = ['apology-billing-error', 'survey-csat'].map((name) => ({ kind: 'template', name, detail: '' }));
    const draft = { ticketId: 1, body: 'Sorry for the wait.', public: true, set: {}, template: 'apology-delay' } as RenderedReply;
    let s = reduce(loaded([1, 2]), { type: 'openThread' });
    s = reduce(s, { type: 'replyOpened', ticketId: 1 });
    expect(s.overlay).toMatchObject({ kind: 'reply', under: 'thread', reply: { step: 'loading' } });
    expect(reduce(s, { type: 'replyChoices', ticketId: 2, suggested, templates, problems: 0 })).toBe(s); // another ticket's
    s = reduce(s, { type: 'replyChoices', ticketId: 1, suggested, templates, problems: 0 });
    const picker = () => (s.overlay.kind === 'reply' && s.overlay.reply.step !== 'loading' ? s.overlay.reply.picker : undefined)!;
    expect(replyChoices(picker()).map((c) => c.name)).toEqual(['apology-delay', 'apology-billing-error', 'survey-csat', '']);
    s = reduce(s, { type: 'replyInput', input: 'APOLOGY' });
    expect(replyChoices(picker()).map((c) => c.kind)).toEqual(['suggested', 'template', 'own']);
    s = reduce(s, { type: 'replyHighlight', delta: -1 });
    expect(replyChoice(picker()).kind).toBe('own');
    s = reduce(s, { type: 'replyHighlight', delta: 1 });
    expect(replyChoice(picker()).name).toBe('apology-delay');

    s = reduce(s, { type: 'replyPreview', draft });
    expect(s.overlay).toMatchObject({ kind: 'reply', reply: { step: 'preview', draft, scroll: 0 } });
    s = reduce(s, { type: 'editorOpened' });
    expect(s.overlay).toMatchObject({ kind: 'editor', under: 'thread', reply: { step: 'preview' } });
    s = reduce(s, { type: 'replyPreview', draft: { ...draft, body: 'Edited.' } });
    expect(s.overlay).toMatchObject({ kind: 'reply', reply: { step: 'preview', draft: { body: 'Edited.' } } });
    s = reduce(s, { type: 'replyBack' });
    expect(s.overlay).toMatchObject({ kind: 'reply', reply: { step: 'pick' } });
    expect(picker().input).toBe('APOLOGY'); // the filter is kept
    s = reduce(s, { type: 'closeOverlay' });
    expect(s.overlay).toEqual({ kind: 'thread', ticketId: 1, scroll: 0 });
  });

  it('submits the highlighted matching choice, else the typed text', () => {
    const p: PromptState = { purpose: 'status', title: 'Status', input: '', choices: ['open', 'pending', 'hold', 'solved'], highlighted: 0, targets: [1] };
    expect(promptValue(p)).toBe('open');
    expect(promptValue({ ...p, input: 'o', highlighted: 1 })).toBe('hold');
    expect(promptValue({ ...p, input: 'bogus' })).toBe('bogus');
    let s = reduce(loaded([1]), { type: 'openPrompt', prompt: { ...p, input: 'o' } });
    s = reduce(s, { type: 'promptHighlight', delta: -1 });
    expect(s.overlay.kind === 'prompt' && promptValue(s.overlay.prompt)).toBe('solved');
  });
});

describe('commandFor', () => {
  it('maps keys by mode', () => {
    expect(commandFor('list', 'j', {})).toEqual({ type: 'move', delta: 1 });
    expect(commandFor('list', '', { upArrow: true })).toEqual({ type: 'move', delta: -1 });
    expect(commandFor('list', '\r', { return: true })).toEqual({ type: 'open' });
    expect(commandFor('list', 'e', {})).toEqual({ type: 'action', action: 'escalate' });
    expect(commandFor('list', ' ', {})).toEqual({ type: 'mark' });
    expect(commandFor('list', 'q', {})).toEqual({ type: 'quit' });
    expect(commandFor('list', 'c', { ctrl: true })).toEqual({ type: 'quit' });
    expect(commandFor('thread', 'j', {})).toEqual({ type: 'scroll', delta: 1 });
    expect(commandFor('thread', '', { escape: true, meta: true })).toEqual({ type: 'back' });
    expect(commandFor('help', 'j', {})).toBeNull();
    expect(commandFor('help', '', { escape: true })).toEqual({ type: 'back' });
    // in a prompt, letters are text, not commands
    expect(commandFor('prompt', 'q', {})).toEqual({ type: 'promptText', text: 'q' });
    expect(commandFor('prompt', 'j', {})).toEqual({ type: 'promptText', text: 'j' });
    expect(commandFor('prompt', '', { delete: true })).toEqual({ type: 'promptBackspace' });
    expect(commandFor('prompt', '\u001b[31m', {})).toBeNull();
    expect(commandFor('editor', 'q', {})).toBeNull();
    expect(commandFor('loading', 'a', {})).toBeNull();
    expect(commandFor('loading', 'q', {})).toEqual({ type: 'quit' });
  });

  it('maps the reply picker\'s keys: letters filter, the preview sends, edits or goes back', () => {
    expect(commandFor('list', 'r', {})).toEqual({ type: 'action', action: 'reply' });
    expect(commandFor('replyLoading', '', { escape: true })).toEqual({ type: 'replyCancel' });
    expect(commandFor('replyLoading', 'q', {})).toBeNull();
    expect(commandFor('replyPick', 'n', {})).toEqual({ type: 'replyText', text: 'n' });
    expect(commandFor('replyPick', 'q', {})).toEqual({ type: 'replyText', text: 'q' });
    expect(commandFor('replyPick', '\r', { return: true })).toEqual({ type: 'replyChoose' });
    expect(commandFor('replyPick', '', { downArrow: true })).toEqual({ type: 'replyHighlight', delta: 1 });
    expect(commandFor('replyPick', '', { escape: true })).toEqual({ type: 'replyCancel' });
    expect(commandFor('replyPreview', '\r', { return: true })).toEqual({ type: 'replySend', note: false });
    expect(commandFor('replyPreview', 'y', {})).toEqual({ type: 'replySend', note: false });
    expect(commandFor('replyPreview', 'n', {})).toEqual({ type: 'replySend', note: true });
    expect(commandFor('replyPreview', 'e', {})).toEqual({ type: 'replyEdit' });
    expect(commandFor('replyPreview', '', { escape: true })).toEqual({ type: 'replyBack' });
    expect(commandFor('replyPreview', 'q', {})).toBeNull();
    expect(commandFor('replyPreview', 'y', { ctrl: true })).toBeNull();
  });
});

describe('splitKeys', () => {
  it('keeps a single key and anything Ink already named whole', () => {
    expect(splitKeys('j', {})).toEqual([{ input: 'j', key: {} }]);
    expect(splitKeys('', { upArrow: true })).toEqual([{ input: '', key: { upArrow: true } }]);
    expect(splitKeys('[A', { meta: true })).toEqual([{ input: '[A', key: { meta: true } }]);
  });
  it('splits control keys out of typed text, and keeps the text runs together', () => {
    expect(splitKeys('e2e-checked\r', {})).toEqual([
      { input: 'e2e-checked', key: {} },
      { input: '', key: { return: true } },
    ]);
    expect(splitKeys('ab\u007f\u0015c\t', {})).toEqual([
      { input: 'ab', key: {} },
      { input: '', key: { backspace: true } },
      { input: 'u', key: { ctrl: true } },
      { input: 'c', key: {} },
      { input: '', key: { tab: true } },
    ]);
    expect(splitKeys('\r\r', {})).toHaveLength(2);
    expect(splitKeys('naïve ✓', {})).toEqual([{ input: 'naïve ✓', key: {} }]);
  });
});

describe('format', () => {
  it('cuts and pads by display width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 0)).toBe('');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('7', 3, 'right')).toBe('  7');
    expect(fit('日本語テキスト', 6)).toBe('日本… ');
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('a\n\nb', 10)).toEqual(['a', '', 'b']);
  });

  it('draws list rows exactly as wide as the terminal, without customer escape sequences', () => {
    const evil = item(42, { subject: 'Refund \u001b[2J\u001b]0;owned\u0007now' });
    for (const width of [40, 80, 100, 160]) {
      const cols = listColumns(width, [evil]);
      const text = lineText(listRow(evil, { selected: true, marked: false, pending: false }, cols, Date.parse('2026-03-02T00:00:00Z')));
      expect([...text].length).toBe(width);
      expect(text).not.toContain('\u001b');
      expect(text).toContain('#42');
    }
  });

  it('previews the whole reply body, scrolling, within the given height', () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const draft = { ticketId: 7, body, public: true, set: { status: 'pending' }, template: 't' } as RenderedReply;
    const reply = { ticketId: 7, step: 'preview' as const, picker: { input: '', highlighted: 0, suggested: [], templates: [], macros: [], problems: 0 }, draft, scroll: 0 };
    const top = replyLines(reply, 'Subject', 60, 20).map(lineText);
    expect(top).toHaveLength(20);
    expect(top[1]).toBe('also sets status pending');
    expect(top).toContain('  line 1');
    expect(top.at(-2)).toMatch(/^── lines 1-15 of 30 · j\/k scroll ─+$/);
    expect(top.at(-1)).toMatch(/^enter \/ y send as a public reply/);
    const end = replyLines({ ...reply, scroll: 99 }, 'Subject', 60, 20).map(lineText);
    expect(end).toContain('  line 30');
    expect(end.at(-2)).toMatch(/lines 16-30 of 30/);
    for (const l of [...top, ...end]) expect([...l].length).toBeLessThanOrEqual(60);
  });

  it('keeps the cursor in view and lays out any size without negative heights', () => {
    expect(windowStart(0, 100, 10)).toBe(0);
    expect(windowStart(50, 100, 10)).toBe(45);
    expect(windowStart(99, 100, 10)).toBe(90);
    expect(windowStart(3, 5, 10)).toBe(0);
    const l = layoutFor(80, 24);
    expect(l.tooSmall).toBe(false);
    expect(1 + 1 + l.list + 1 + l.detail + 2).toBe(23);
    for (const [c, r] of [[0, 0], [10, 3], [39, 30], [80, 9], [Number.NaN, 24]] as const) {
      const small = layoutFor(c, r, 7);
      expect(small.tooSmall).toBe(true);
      for (const v of [small.list, small.detail, small.prompt, small.height, small.width]) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(layoutFor(200, 50).sideBySide).toBe(true);
  });
});
