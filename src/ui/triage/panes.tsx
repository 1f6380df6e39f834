/** The triage screen's panes: small components over the pure line builders in format.ts. */
import { LinesBox, LineView } from '../components/LineView.js';
import type { QueueItem } from '../../services/queue.js';
import {
  bulkReplyLines,
  clip,
  detailLines,
  fit,
  helpLines,
  listColumns,
  listHeader,
  listRow,
  replyLines,
  textWidth,
  truncate,
  windowStart,
  wrapText,
  type Line,
} from './format.js';
import {
  matchingChoices,
  type PromptState,
  type ReplyOverlay,
  type StatusMessage,
  type ThreadEntry,
  type TriageState,
} from './state.js';

export function ListPane({ state, width, height, now }: { state: TriageState; width: number; height: number; now: number }) {
  const cols = listColumns(width, state.items);
  const start = windowStart(state.cursor, state.items.length, height);
  const lines: Line[] = [];
  if (state.items.length === 0) {
    lines.push([{ text: state.loading ? 'loading the queue…' : state.filter ? 'no unsolved tickets match the filter' : 'the queue is empty', tone: 'muted' }]);
  }
  for (let i = start; i < Math.min(state.items.length, start + height); i++) {
    const item = state.items[i]!;
    const id = item.ticket.id;
    lines.push(
      clip(
        listRow(
          item,
          { selected: i === state.cursor, marked: state.marked.has(id), pending: state.pending.has(id), outcome: state.outcomes.get(id) },
          cols,
          now,
        ),
        width,
      ),
    );
  }
  return (
    <>
      <LineView line={clip(listHeader(cols), width)} />
      <LinesBox lines={lines} height={height} />
    </>
  );
}

export function DetailPane({
  item,
  thread,
  width,
  height,
  now,
}: {
  item: QueueItem | undefined;
  thread: ThreadEntry | undefined;
  width: number;
  height: number;
  now: number;
}) {
  return <LinesBox lines={detailLines(item, thread, width, height, now).map((l) => clip(l, width))} height={height} />;
}

export function ThreadPane({ title, lines, scroll, width, height }: { title: string; lines: Line[]; scroll: number; width: number; height: number }) {
  const body = Math.max(0, height - 1);
  const shown = lines.slice(scroll, scroll + body).map((l) => clip(l, width));
  const position = lines.length > body ? ` · ${Math.min(lines.length, scroll + body)}/${lines.length}` : '';
  return (
    <>
      <LineView line={[{ text: truncate(`${title} — thread${position} · j/k scroll · esc back`, width), tone: 'strong' }]} />
      <LinesBox lines={shown} height={body} />
    </>
  );
}

export function ReplyPane({ reply, subject, width, height }: { reply: ReplyOverlay; subject: string; width: number; height: number }) {
  return <LinesBox lines={replyLines(reply, subject, width, height).map((l) => clip(l, width))} height={height} />;
}

export function BulkReplyPane({ targets, body, width, height }: { targets: readonly number[]; body: string; width: number; height: number }) {
  return <LinesBox lines={bulkReplyLines(targets, body, width, height).map((l) => clip(l, width))} height={height} />;
}

export function HelpPane({ width, height }: { width: number; height: number }) {
  return <LinesBox lines={helpLines(width)} height={height} />;
}

/** Lines the prompt takes: its input line, up to 5 choices and a hint. */
export function promptHeight(prompt: PromptState | undefined): number {
  if (!prompt) return 0;
  return 1 + Math.min(5, matchingChoices(prompt).length) + (prompt.hint ? 1 : 0);
}

export function PromptBar({ prompt, width, height }: { prompt: PromptState; width: number; height: number }) {
  const matches = matchingChoices(prompt);
  const lines: Line[] = [];
  const label = `${prompt.title}: `;
  const room = Math.max(1, width - label.length - 1);
  const input = [...prompt.input];
  const visible = input.length > room ? `…${input.slice(input.length - room + 1).join('')}` : prompt.input;
  lines.push([{ text: truncate(label, width), tone: 'accent' }, { text: visible }, { text: '█', tone: 'accent' }]);
  const top = Math.max(0, Math.min(prompt.highlighted - 4, matches.length - 5));
  matches.slice(top, top + 5).forEach((choice, i) => {
    const on = top + i === prompt.highlighted;
    lines.push([{ text: fit(`${on ? '› ' : '  '}${choice}`, width), tone: on ? 'selected' : undefined }]);
  });
  if (prompt.hint) lines.push([{ text: truncate(`${prompt.hint} · enter ok · esc cancel`, width), tone: 'muted' }]);
  return <LinesBox lines={lines.map((l) => clip(l, width))} height={height} />;
}

/** The footer's keys, most useful first; `? help · q quit` always shows. */
const KEY_HINTS = ['j/k move', 'enter open', 'r reply', 'a assign', 'e escalate', 's status', 't tag', 'p prio', 'n note', 'space mark', '/ filter', 'v view'];
const ALWAYS = '? help · q quit';

/** As many key hints as fit in `width`, then `? help · q quit`. */
export function keysHint(width: number): string {
  const shown: string[] = [];
  for (const hint of KEY_HINTS) {
    if (textWidth([...shown, hint, ALWAYS].join(' · ')) > width) break;
    shown.push(hint);
  }
  return truncate([...shown, ALWAYS].join(' · '), width);
}

export function StatusBar({ status, width }: { status: StatusMessage | null; width: number }) {
  const tone = status?.tone === 'error' ? 'bad' : status?.tone === 'ok' ? 'good' : 'muted';
  const text = status ? `${status.tone === 'error' ? 'error: ' : ''}${status.text}` : '';
  // An error longer than a line takes the keys' line too: the reason is what the agent needs.
  if (status?.tone === 'error' && textWidth(text) > width && width > 0) {
    const [first = '', ...rest] = wrapText(text, width);
    return (
      <>
        <LineView line={[{ text: first, tone }]} />
        <LineView line={[{ text: truncate(rest.join(' '), width), tone }]} />
      </>
    );
  }
  return (
    <>
      <LineView line={[{ text: truncate(text, width), tone }]} />
      <LineView line={[{ text: keysHint(width), tone: 'muted' }]} />
    </>
  );
}
