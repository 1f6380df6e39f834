/**
 * Text for the triage screen, as lines of styled segments cut to the terminal's width. Pure:
 * the components only map segments to <Text>, so the layout is tested without rendering.
 * Customer text passes through the CLI's sanitizer: no escape sequence reaches the terminal.
 */
import stringWidth from 'string-width';
import type { Comment, User } from '../../core/model.js';
import { sanitizeLine, sanitizeText } from '../../core/sanitize.js';
import { formatAge, formatDuration, formatTimestamp } from '../../core/time.js';
import type { QueueItem } from '../../services/queue.js';
import type { MacroPreview } from '../../services/macros.js';
import type { RenderedReply } from '../../services/replies.js';
import type { TicketView } from '../../services/tickets.js';
import { KEY_HELP } from './keymap.js';
import { replyChoices, type ReplyOverlay, type ThreadEntry } from './state.js';

export type Tone = 'bad' | 'warn' | 'good' | 'muted' | 'accent' | 'strong' | 'selected' | undefined;

export interface Segment {
  text: string;
  tone?: Tone;
}

export type Line = Segment[];

/** The smallest terminal the screen draws in; below it, one "terminal too small" line. */
export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

function charWidth(ch: string): number {
  const code = ch.codePointAt(0)!;
  return code < 0x300 ? (code >= 0x20 ? 1 : 0) : stringWidth(ch);
}

export function textWidth(text: string): number {
  if (/^[\u0020-\u007e]*$/.test(text)) return text.length;
  return stringWidth(text);
}

/** Cuts text to `width` columns, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Exactly `width` columns: cut or padded with spaces. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(text, width);
  const pad = Math.max(0, width - textWidth(t));
  return align === 'left' ? t + ' '.repeat(pad) : ' '.repeat(pad) + t;
}

/** Word-wraps text (newlines kept) to lines of at most `width` columns. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\t/g, '  ').replace(/\s+$/, '');
    if (line === '') {
      out.push('');
      continue;
    }
    let current = '';
    for (const word of line.split(/(\s+)/)) {
      if (word === '') continue;
      const candidate = current + word;
      if (textWidth(candidate) <= w) {
        current = candidate;
        continue;
      }
      if (current.trim() !== '') out.push(current.replace(/\s+$/, ''));
      current = /^\s+$/.test(word) ? '' : word;
      while (textWidth(current) > w) {
        let head = '';
        for (const ch of current) {
          if (textWidth(head + ch) > w) break;
          head += ch;
        }
        out.push(head);
        current = current.slice(head.length);
      }
    }
    if (current.trim() !== '' || out.length === 0) out.push(current.replace(/\s+$/, ''));
  }
  return out;
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}

// --- tones -----------------------------------------------------------------------------------

export function urgencyTone(score: number): Tone {
  if (score >= 60) return 'bad';
  if (score >= 30) return 'warn';
  return undefined;
}

export function slaTone(msLeft: number | null): Tone {
  if (msLeft === null) return 'muted';
  if (msLeft <= 0) return 'bad';
  return msLeft < 3_600_000 ? 'warn' : undefined;
}

/** "-2h" once breached, "45m" before; empty without an active SLA target. */
export function slaCountdown(item: QueueItem, now: number): string {
  const sla = item.urgency.sla;
  if (!sla) return '';
  return formatDuration(Date.parse(sla.breachAt) - now);
}

function slaMsLeft(item: QueueItem, now: number): number | null {
  return item.urgency.sla ? Date.parse(item.urgency.sla.breachAt) - now : null;
}

// --- list ------------------------------------------------------------------------------------

export interface RowState {
  selected: boolean;
  marked: boolean;
  pending: boolean;
  outcome?: 'ok' | 'failed';
}

export interface ListColumns {
  id: number;
  requester: number;
  subject: number;
  showRequester: boolean;
}

/** Column widths of the list for a terminal `width` wide. */
export function listColumns(width: number, items: readonly QueueItem[]): ListColumns {
  let maxId = 2;
  for (const i of items) maxId = Math.max(maxId, String(i.ticket.id).length);
  const id = maxId + 1;
  // cursor+mark 2, urgency 3, SLA 5, id, age 4, with single spaces between
  const fixed = 2 + 3 + 1 + 5 + 1 + id + 1 + 1 + 4;
  const showRequester = width >= 60;
  const requester = showRequester ? Math.min(20, Math.max(10, Math.floor(width * 0.2))) : 0;
  const subject = Math.max(4, width - fixed - (showRequester ? requester + 1 : 0));
  return { id, requester, subject, showRequester };
}

/** The list's first visible row so the cursor stays in view, a little ahead of the edges. */
export function windowStart(cursor: number, count: number, height: number): number {
  if (count <= height) return 0;
  const start = cursor - Math.floor(height / 2);
  return Math.max(0, Math.min(count - height, start));
}

export function listRow(item: QueueItem, row: RowState, cols: ListColumns, now: number): Line {
  const t = item.ticket;
  const mark = row.pending ? '…' : row.outcome === 'failed' ? '✗' : row.outcome === 'ok' ? '✓' : row.marked ? '*' : ' ';
  const cursor = row.selected ? '›' : ' ';
  const sel = row.selected ? 'selected' : undefined;
  const msLeft = slaMsLeft(item, now);
  const requester = `${sanitizeLine(item.requester?.name ?? `user ${t.requester_id}`)}${item.vip ? ' ★' : ''}`;
  const segments: Line = [
    { text: cursor, tone: sel ?? 'accent' },
    { text: mark, tone: row.outcome === 'failed' ? 'bad' : row.outcome === 'ok' ? 'good' : row.marked ? 'accent' : sel },
    { text: fit(String(item.urgency.score), 3, 'right'), tone: sel ?? urgencyTone(item.urgency.score) },
    { text: ' ', tone: sel },
    { text: fit(slaCountdown(item, now), 5, 'right'), tone: sel ?? slaTone(msLeft) },
    { text: ' ', tone: sel },
    { text: fit(`#${t.id}`, cols.id, 'left'), tone: sel ?? 'muted' },
    { text: ' ', tone: sel },
    { text: fit(sanitizeLine(t.subject), cols.subject), tone: sel },
  ];
  if (cols.showRequester) {
    segments.push({ text: ' ', tone: sel }, { text: fit(requester, cols.requester), tone: sel ?? (item.vip ? 'accent' : undefined) });
  }
  segments.push({ text: ' ', tone: sel }, { text: fit(formatAge(t.created_at, new Date(now)), 4, 'right'), tone: sel ?? 'muted' });
  return segments;
}

export function listHeader(cols: ListColumns): Line {
  let text = `  ${fit('URG', 3, 'right')} ${fit('SLA', 5, 'right')} ${fit('ID', cols.id)} ${fit('SUBJECT', cols.subject)}`;
  if (cols.showRequester) text += ` ${fit('REQUESTER', cols.requester)}`;
  text += ` ${fit('AGE', 4, 'right')}`;
  return [{ text, tone: 'muted' }];
}

// --- detail and thread -----------------------------------------------------------------------

function names(view: TicketView): Map<number, User> {
  return new Map(view.users.map((u) => [u.id, u]));
}

function commentHeader(c: Comment, users: Map<number, User>, requesterId: number, now: number): Line {
  const who = sanitizeLine(users.get(c.author_id)?.name ?? `user ${c.author_id}`);
  const kind = !c.public ? 'internal note' : c.author_id === requesterId ? 'customer' : 'reply';
  return [
    { text: who, tone: 'strong' },
    { text: ' · ' },
    { text: kind, tone: c.public ? (c.author_id === requesterId ? 'accent' : 'good') : 'warn' },
    { text: ` · ${formatTimestamp(c.created_at)} (${formatAge(c.created_at, new Date(now))} ago)`, tone: 'muted' },
  ];
}

/** The record that is the ticket's current one: a thread read before an assign names the old agent. */
function withId<T extends { id: number }>(id: number, ...records: Array<T | undefined>): T | undefined {
  return records.find((r) => r?.id === id);
}

/** Summary lines of a ticket: subject, status line, people, reasons, tags. */
export function summaryLines(item: QueueItem, view: TicketView | undefined, width: number, now: number): Line[] {
  const t = item.ticket;
  const lines: Line[] = [];
  lines.push([{ text: truncate(`#${t.id} ${sanitizeLine(t.subject)}`, width), tone: 'strong' }]);
  const msLeft = slaMsLeft(item, now);
  const sla = item.urgency.sla
    ? `SLA ${msLeft !== null && msLeft <= 0 ? `breached ${formatDuration(-msLeft!)} ago` : `in ${formatDuration(msLeft!)}`} (${item.urgency.sla.metric.replace(/_/g, ' ')})`
    : 'no SLA';
  lines.push([
    { text: truncate(`${t.status} · ${t.priority ?? 'no priority'} · via ${t.via?.channel ?? '?'} · ${formatAge(t.created_at, new Date(now))} old · `, width) },
    { text: truncate(sla, Math.max(0, width - textWidth(`${t.status} · ${t.priority ?? 'no priority'} · via ${t.via?.channel ?? '?'} · ${formatAge(t.created_at, new Date(now))} old · `))), tone: slaTone(msLeft) },
  ]);
  const requester = view?.requester ?? item.requester;
  const org = view?.organization ?? item.organization;
  const people =
    `${sanitizeLine(requester?.name ?? `user ${t.requester_id}`)}${requester?.email ? ` <${sanitizeLine(requester.email)}>` : ''}` +
    `${org ? ` · ${sanitizeLine(org.name)}` : ''}${item.vip ? ' (VIP)' : ''}` +
    ` → ${t.assignee_id === null ? 'unassigned' : sanitizeLine(withId(t.assignee_id, item.assignee, view?.assignee)?.name ?? `agent ${t.assignee_id}`)}` +
    `${t.group_id !== null ? ` · ${sanitizeLine(withId(t.group_id, item.group, view?.group)?.name ?? `group ${t.group_id}`)}` : ''}`;
  lines.push([{ text: truncate(people, width) }]);
  const why = item.urgency.reasons.map((r) => `${r.label} +${r.points}`).join(' · ');
  lines.push([{ text: 'urgency ', tone: 'muted' }, { text: truncate(`${item.urgency.score}: ${why || 'nothing stands out'}`, Math.max(0, width - 8)), tone: urgencyTone(item.urgency.score) }]);
  if (t.tags.length > 0) lines.push([{ text: 'tags ', tone: 'muted' }, { text: truncate(t.tags.map(sanitizeLine).join(', '), Math.max(0, width - 5)) }]);
  return lines;
}

/** The thread, oldest first, wrapped to `width`. */
export function threadLines(view: TicketView, width: number, now: number): Line[] {
  const users = names(view);
  const lines: Line[] = [];
  if (view.comments.length === 0) return [[{ text: '(no comments)', tone: 'muted' }]];
  for (const c of view.comments) {
    lines.push(clip(commentHeader(c, users, view.ticket.requester_id, now), width));
    for (const l of wrapText(sanitizeText(c.body).trim(), Math.max(1, width - 2))) lines.push([{ text: `  ${l}` }]);
    lines.push([{ text: '' }]);
  }
  return lines;
}

/** The latest comments first, as many as fit in `height` lines. */
export function previewLines(view: TicketView, width: number, height: number, now: number): Line[] {
  const users = names(view);
  const out: Line[] = [];
  for (let i = view.comments.length - 1; i >= 0 && out.length < height; i--) {
    const c = view.comments[i]!;
    out.push(clip(commentHeader(c, users, view.ticket.requester_id, now), width));
    for (const l of wrapText(sanitizeText(c.body).trim(), Math.max(1, width - 2))) {
      if (out.length >= height) break;
      out.push([{ text: `  ${l}` }]);
    }
  }
  if (view.comments.length === 0) out.push([{ text: '(no comments)', tone: 'muted' }]);
  return out.slice(0, height);
}

export function detailLines(item: QueueItem | undefined, thread: ThreadEntry | undefined, width: number, height: number, now: number): Line[] {
  if (!item) return [[{ text: 'no ticket selected', tone: 'muted' }]];
  const view = thread?.state === 'ready' ? thread.view : undefined;
  const lines = summaryLines(item, view, width, now);
  const rest = height - lines.length;
  if (rest <= 0) return lines.slice(0, height);
  if (!thread || thread.state === 'loading') return [...lines, [{ text: 'loading the thread…', tone: 'muted' }]];
  if (thread.state === 'error') return [...lines, [{ text: truncate(`thread: ${thread.message}`, width), tone: 'bad' }]];
  return [...lines, ...previewLines(thread.view, width, rest, now)];
}

/** What the marks in the list mean, for the help overlay. */
const MARK_HELP: ReadonlyArray<readonly [string, string]> = [
  ['›', 'selected'],
  ['*', 'marked'],
  ['…', 'saving'],
  ['✓/✗', 'the desk took / refused the last change'],
  ['★', 'VIP'],
  ['-2h', 'SLA breached 2 h ago'],
];

export function helpLines(width: number): Line[] {
  const keyWidth = Math.max(...KEY_HELP.map(([k]) => k.length)) + 2;
  // what the list's marks mean first, in a line or two: the keys are also in the footer
  const marks = `Marks: ${MARK_HELP.map(([m, what]) => `${m} ${what}`).join(' · ')}`;
  const lines: Line[] = [
    ...wrapText(marks, Math.max(1, width)).map((l): Line => [{ text: l, tone: 'muted' }]),
    [{ text: '' }],
    [{ text: 'Keys', tone: 'strong' }],
  ];
  for (const [k, what] of KEY_HELP) {
    lines.push([{ text: fit(k, keyWidth), tone: 'accent' }, { text: truncate(what, Math.max(0, width - keyWidth)) }]);
  }
  lines.push([{ text: '' }], [{ text: 'esc or ? closes this help', tone: 'muted' }]);
  return lines;
}

// --- reply picker ------------------------------------------------------------------------------

/**
 * The reply picker in `height` lines: while loading, the choices (suggestions with their
 * reasons, every other template, own text) around the highlighted one, or the preview of the
 * exact text that is sent, with what sending it also changes.
 */
export function replyLines(reply: ReplyOverlay, subject: string, width: number, height: number): Line[] {
  const title: Line = [{ text: truncate(`Reply to #${reply.ticketId} ${sanitizeLine(subject)}`, width), tone: 'strong' }];
  if (reply.step === 'loading') return [title, [{ text: 'loading the templates and the thread… (esc cancels)', tone: 'muted' }]];

  if (reply.step === 'pick') {
    const p = reply.picker;
    const choices = replyChoices(p);
    const highlighted = Math.min(p.highlighted, choices.length - 1);
    const lines: Line[] = [
      title,
      [{ text: 'template: ', tone: 'accent' }, { text: p.input }, { text: '█', tone: 'accent' }, { text: truncate('  type to filter · ↑/↓ · enter choose · esc cancel', Math.max(0, width - 12 - textWidth(p.input))), tone: 'muted' }],
    ];
    const footer: Line[] = p.problems > 0
      ? [[{ text: truncate(`${p.problems} template file${p.problems === 1 ? '' : 's'} could not be read and ${p.problems === 1 ? 'is' : 'are'} left out: run \`deskops template lint\``, width), tone: 'warn' }]]
      : [];
    // One row per template, with a heading before each group; "write my own" stays in view.
    const ownIndex = choices.length - 1;
    const nameWidth = Math.min(34, Math.max(12, Math.floor(width * 0.35)));
    const row = (i: number): Line => {
      const c = choices[i]!;
      const on = i === highlighted;
      const detail = c.kind === 'own' ? '$VISUAL / $EDITOR, sent when saved' : sanitizeLine(c.detail);
      return [
        { text: on ? '› ' : '  ', tone: on ? 'selected' : 'accent' },
        { text: fit(c.kind === 'own' ? '✎ write my own' : sanitizeLine(c.name), nameWidth), tone: on ? 'selected' : c.kind === 'suggested' ? 'accent' : undefined },
        { text: fit(` ${detail}`, Math.max(0, width - nameWidth - 2)), tone: on ? 'selected' : 'muted' },
      ];
    };
    const rows: Array<{ line: Line; choice?: number }> = [];
    let group: string | undefined;
    for (let i = 0; i < ownIndex; i++) {
      const kind = choices[i]!.kind;
      const heading = kind === 'suggested' ? 'suggested for this ticket' : kind === 'macro' ? "the desk's macros" : 'all templates';
      if (heading !== group) rows.push({ line: [{ text: (group = heading), tone: 'muted' }] });
      rows.push({ choice: i, line: row(i) });
    }
    if (rows.length === 0) rows.push({ line: [{ text: 'no template matches', tone: 'muted' }] });
    const room = Math.max(1, height - lines.length - footer.length - 1);
    const at = highlighted === ownIndex ? rows.length - 1 : rows.findIndex((r) => r.choice === highlighted);
    const start = windowStart(Math.max(0, at), rows.length, room);
    return [...lines, ...rows.slice(start, start + room).map((r) => clip(r.line, width)), clip(row(ownIndex), width), ...footer];
  }

  if (reply.step === 'macro') return macroLines(reply.preview, width, height, reply.scroll);

  const d = reply.draft;
  const head = previewHead(d, width);
  const rule: Line = [{ text: '─'.repeat(Math.max(0, width)), tone: 'muted' }];
  const body = previewBodyLines(d.body, width);
  const room = previewRoom(height, head.length);
  const scroll = Math.max(0, Math.min(reply.scroll, body.length - room));
  const shown = body.slice(scroll, scroll + room);
  const bottom: Line =
    body.length > room
      ? [{ text: `── lines ${scroll + 1}-${scroll + shown.length} of ${body.length} · j/k scroll ${'─'.repeat(Math.max(0, width))}`.slice(0, Math.max(0, width)), tone: 'muted' }]
      : rule;
  const keys = d.public
    ? 'enter / y send as a public reply · p send, pending · s send, solved · n internal note · e edit · esc back'
    : 'enter / y add as an internal note (an internal template) · e edit · esc back';
  return [...head, rule, ...shown, bottom, [{ text: truncate(keys, width), tone: 'accent' }]];
}

/** A macro's preview: every field it touches, then its comment exactly as it is sent, then the keys. */
export function macroLines(preview: MacroPreview, width: number, height: number, scroll: number): Line[] {
  const head = macroHead(preview, width);
  const rule: Line = [{ text: '─'.repeat(Math.max(0, width)), tone: 'muted' }];
  const body = preview.plan.comment ? previewBodyLines(preview.plan.comment.body, width) : [];
  const room = previewRoom(height, head.length);
  const from = Math.max(0, Math.min(scroll, body.length - room));
  const shown = body.slice(from, from + room);
  const bottom: Line =
    body.length > room
      ? [{ text: `── lines ${from + 1}-${from + shown.length} of ${body.length} · j/k scroll ${'─'.repeat(Math.max(0, width))}`.slice(0, Math.max(0, width)), tone: 'muted' }]
      : rule;
  const keys = preview.empty ? 'the macro changes nothing here · esc back' : 'enter / y apply these changes in one update · esc back';
  return [...head, ...(body.length > 0 ? [rule, ...shown, bottom] : [rule]), [{ text: truncate(keys, width), tone: 'accent' }]];
}

function macroHead(preview: MacroPreview, width: number): Line[] {
  const { plan } = preview;
  const head: Line[] = [[{ text: truncate(`Macro "${sanitizeLine(plan.macro.title)}" on #${plan.ticketId}: what it changes`, width), tone: 'strong' }]];
  const labelWidth = Math.max(...preview.rows.map(([label]) => label.length)) + 2;
  for (const [label, text] of preview.rows) {
    const shown = label === 'comment' && plan.comment?.public && preview.requester ? `${text}: ${preview.requester.name}` : text;
    head.push([
      { text: `  ${label.padEnd(labelWidth)}`, tone: label === 'no change' ? 'muted' : 'accent' },
      { text: truncate(sanitizeLine(shown), Math.max(0, width - labelWidth - 2)), tone: label === 'no change' ? 'muted' : undefined },
    ]);
  }
  return head;
}

/** The last scroll offset of a macro preview's comment in `height` lines. */
export function macroScrollMax(preview: MacroPreview, width: number, height: number): number {
  if (!preview.plan.comment) return 0;
  return Math.max(0, previewBodyLines(preview.plan.comment.body, width).length - previewRoom(height, macroHead(preview, width).length));
}

/** The preview's title, and what sending also changes. */
function previewHead(d: RenderedReply, width: number): Line[] {
  const head: Line[] = [
    [{ text: truncate(`Reply to #${d.ticketId} with ${d.template ?? 'your text'} — ${d.public ? 'public reply' : 'internal note'}`, width), tone: 'strong' }],
  ];
  const sets = [
    d.set.status ? `status ${d.set.status}` : '',
    d.set.priority ? `priority ${d.set.priority}` : '',
    d.set.tags?.length ? `tags ${d.set.tags.map((t) => `+${t}`).join(' ')}` : '',
  ].filter(Boolean);
  if (sets.length > 0) head.push([{ text: truncate(`also sets ${sets.join(' · ')}`, width), tone: 'muted' }]);
  return head;
}

/** The last scroll offset of a preview in `height` lines. */
export function previewScrollMax(d: RenderedReply, width: number, height: number): number {
  return Math.max(0, previewBodyLines(d.body, width).length - previewRoom(height, previewHead(d, width).length));
}

/** The preview's text as wrapped lines: exactly the body that is sent. */
export function previewBodyLines(body: string, width: number): Line[] {
  return wrapText(sanitizeText(body), Math.max(1, width - 2)).map((l): Line => [{ text: `  ${l}` }]);
}

/** The preview of one text for several marked tickets: who gets it, the text, the keys. */
export function bulkReplyLines(targets: readonly number[], body: string, width: number, height: number): Line[] {
  const who = targets.map((id) => `#${id}`).join(', ');
  const head: Line[] = [[{ text: truncate(`Reply to ${targets.length} marked tickets — public reply, the same text to each`, width), tone: 'strong' }], [{ text: truncate(who, width), tone: 'muted' }]];
  const rule: Line = [{ text: '─'.repeat(Math.max(0, width)), tone: 'muted' }];
  const lines = previewBodyLines(body, width);
  const room = previewRoom(height, head.length);
  const shown = lines.slice(0, room);
  const more: Line = lines.length > room ? [{ text: truncate(`── ${lines.length - room} more lines ${'─'.repeat(Math.max(0, width))}`, width), tone: 'muted' }] : rule;
  const keys = `enter / y send to all ${targets.length} · p send, pending · s send, solved · esc cancel`;
  return [...head, rule, ...shown, more, [{ text: truncate(keys, width), tone: 'accent' }]];
}

/** Lines of body text the preview shows in `height` lines under `headLines` of title. */
export function previewRoom(height: number, headLines: number): number {
  return Math.max(1, height - headLines - 3);
}

/** Cuts a styled line to `width` columns. */
export function clip(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const seg of line) {
    if (left <= 0) break;
    const w = textWidth(seg.text);
    if (w <= left) {
      out.push(seg);
      left -= w;
    } else {
      out.push({ ...seg, text: truncate(seg.text, left) });
      left = 0;
    }
  }
  return out;
}

// --- layout ----------------------------------------------------------------------------------

export interface Layout {
  tooSmall: boolean;
  width: number;
  /** Lines drawn in all (one less than the terminal, so the screen never scrolls). */
  height: number;
  list: number;
  detail: number;
  prompt: number;
  sideBySide: boolean;
  listWidth: number;
  detailWidth: number;
}

/** Splits the terminal between header, list, detail, prompt and status line. */
export function layoutFor(columns: number, rows: number, promptLines = 0): Layout {
  const width = Math.max(0, Math.floor(columns || 0));
  const height = Math.max(0, Math.floor(rows || 0) - 1);
  const tooSmall = width < MIN_COLUMNS || rows < MIN_ROWS;
  // header 1 + list header 1 + status 1 + keys 1
  const chrome = 4;
  const prompt = Math.min(promptLines, Math.max(0, height - chrome - 4));
  const body = Math.max(0, height - chrome - prompt);
  const sideBySide = width >= 140;
  if (sideBySide) {
    const listWidth = Math.floor(width * 0.55);
    return { tooSmall, width, height, list: body, detail: body, prompt, sideBySide, listWidth, detailWidth: width - listWidth - 3 };
  }
  const list = Math.max(1, Math.ceil((body - 1) * 0.5));
  const detail = Math.max(0, body - list - 1);
  return { tooSmall, width, height, list, detail, prompt, sideBySide, listWidth: width, detailWidth: width };
}
