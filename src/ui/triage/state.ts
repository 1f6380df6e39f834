/**
 * The triage screen's state and its reducer. Pure: every change to what the screen shows is
 * an event here, so selection, marks, overlays, optimistic changes and rollbacks are tested
 * without rendering or a desk.
 */
import type { Ticket } from '../../core/model.js';
import type { QueueItem } from '../../services/queue.js';
import type { MacroPreview } from '../../services/macros.js';
import type { RenderedReply } from '../../services/replies.js';
import type { TicketView } from '../../services/tickets.js';

export type PromptPurpose = 'assign' | 'escalate' | 'priority' | 'tag' | 'status' | 'note' | 'filter' | 'view';

export interface PromptState {
  purpose: PromptPurpose;
  title: string;
  input: string;
  /** Suggestions; those matching the input are shown and one is highlighted. */
  choices: string[];
  highlighted: number;
  /** Tickets the action applies to, fixed when the prompt opened. */
  targets: number[];
  hint?: string;
}

/** One line of the reply picker: a template (suggested or not), one of the desk's macros, or the agent's own text. */
export interface ReplyChoice {
  kind: 'suggested' | 'template' | 'macro' | 'own';
  /** Template name or macro title; empty for `own`. */
  name: string;
  /** The desk's id of a macro. */
  macroId?: number;
  /** Why it is suggested (reasons), or the template's description. */
  detail: string;
}

export interface ReplyPicker {
  input: string;
  highlighted: number;
  suggested: ReplyChoice[];
  /** Every other template, by name. */
  templates: ReplyChoice[];
  /** The desk's macros the agent may use (none on a desk without macros). */
  macros: ReplyChoice[];
  /** Template files that could not be read (left out), for a hint. */
  problems: number;
}

/** The reply picker of one ticket: loading, picking a template, or previewing what is sent. */
export type ReplyOverlay =
  | { ticketId: number; step: 'loading' }
  | { ticketId: number; step: 'pick'; picker: ReplyPicker }
  | { ticketId: number; step: 'preview'; picker: ReplyPicker; draft: RenderedReply; scroll: number }
  /** A macro's every change and its comment, before it is applied. */
  | { ticketId: number; step: 'macro'; picker: ReplyPicker; preview: MacroPreview; scroll: number };

export type Overlay =
  | { kind: 'none' }
  | { kind: 'thread'; ticketId: number; scroll: number }
  | { kind: 'help' }
  | { kind: 'prompt'; prompt: PromptState; /** where to go back to */ under: 'none' | 'thread' }
  | { kind: 'reply'; reply: ReplyOverlay; under: 'none' | 'thread' }
  /** `reply`: the picker to come back to after editing a preview. */
  | { kind: 'editor'; under: 'none' | 'thread'; reply?: ReplyOverlay }
  /** One text for several marked tickets, shown before it goes to all of them. */
  | { kind: 'bulkReply'; targets: number[]; body: string; under: 'none' | 'thread' };

export type ThreadEntry =
  | { state: 'loading' }
  | { state: 'ready'; view: TicketView }
  | { state: 'error'; message: string };

export interface StatusMessage {
  text: string;
  tone: 'info' | 'ok' | 'error';
}

export interface TriageState {
  items: QueueItem[];
  /** Unsolved tickets in the view (items may be fewer: --limit). */
  total: number;
  cursor: number;
  selectedId: number | null;
  marked: ReadonlySet<number>;
  overlay: Overlay;
  /** Thread view to return to after a prompt or the editor. */
  threadScroll: number;
  filter: string;
  /** The view switched to with `v`; the one the screen started on until then. */
  view?: string;
  loading: boolean;
  loadedAt: number | null;
  /** Requests the last complete load sent, when counted. */
  loadRequests: number | null;
  status: StatusMessage | null;
  /** Tickets with a change on its way to the desk. */
  pending: ReadonlySet<number>;
  /** The last change's outcome per ticket, shown in the list until the next change. */
  outcomes: ReadonlyMap<number, 'ok' | 'failed'>;
  threads: ReadonlyMap<number, ThreadEntry>;
}

export type TriageEvent =
  | { type: 'loadStarted' }
  /** The text written for several marked tickets, to preview before it is sent to all. */
  | { type: 'bulkReplyPreview'; targets: number[]; body: string }
  /** Another view (`v`): its tickets are loaded next; marks do not carry over. */
  | { type: 'viewChanged'; view: string }
  /** Items scored again after a change the desk took (services/queue refreshQueueItems). */
  | { type: 'itemsRefreshed'; items: QueueItem[] }
  | { type: 'loaded'; items: QueueItem[]; total: number; at: number; filter?: string; /** more is on its way */ partial?: boolean; /** what the load cost */ requests?: number }
  | { type: 'loadFailed'; message: string }
  | { type: 'move'; delta: number }
  | { type: 'moveTo'; index: number }
  | { type: 'toggleMark' }
  | { type: 'clearMarks' }
  | { type: 'openThread' }
  | { type: 'scrollThread'; delta: number; max: number }
  | { type: 'openHelp' }
  | { type: 'closeOverlay' }
  | { type: 'openPrompt'; prompt: PromptState }
  | { type: 'promptInput'; input: string }
  | { type: 'promptChoices'; purpose: PromptPurpose; choices: string[] }
  | { type: 'promptHighlight'; delta: number }
  | { type: 'editorOpened' }
  | { type: 'replyOpened'; ticketId: number }
  | { type: 'replyChoices'; ticketId: number; suggested: ReplyChoice[]; templates: ReplyChoice[]; macros?: ReplyChoice[]; problems: number }
  | { type: 'macroPreview'; preview: MacroPreview }
  | { type: 'replyInput'; input: string }
  | { type: 'replyHighlight'; delta: number }
  | { type: 'replyPreview'; draft: RenderedReply }
  | { type: 'replyScroll'; delta: number; max: number }
  /** Preview → picker (esc), or editor → the preview it came from (the edit was dropped). */
  | { type: 'replyBack' }
  | { type: 'threadLoading'; id: number }
  | { type: 'threadLoaded'; id: number; view: TicketView }
  | { type: 'threadFailed'; id: number; message: string }
  | { type: 'threadStale'; ids: number[] }
  | { type: 'changeStarted'; tickets: Ticket[] }
  | {
      type: 'changeSettled';
      /** The desk's tickets (or the optimistic copies) for changes that went through. */
      confirmed: Ticket[];
      /** The original tickets of refused changes. */
      rolledBack: Ticket[];
      status: StatusMessage;
      clearMarks: boolean;
    }
  | { type: 'status'; status: StatusMessage | null };

export function initialState(filter = ''): TriageState {
  return {
    items: [],
    total: 0,
    cursor: 0,
    selectedId: null,
    marked: new Set(),
    overlay: { kind: 'none' },
    threadScroll: 0,
    filter,
    loading: true,
    loadedAt: null,
    loadRequests: null,
    status: null,
    pending: new Set(),
    outcomes: new Map(),
    threads: new Map(),
  };
}

/** The choices of a prompt that match what was typed (case-insensitive substring). */
export function matchingChoices(prompt: PromptState): string[] {
  const q = prompt.input.trim().toLowerCase();
  if (q === '') return prompt.choices;
  return prompt.choices.filter((c) => c.toLowerCase().includes(q));
}

/** What the prompt submits: the highlighted matching choice, else the text typed. */
export function promptValue(prompt: PromptState): string {
  const matches = matchingChoices(prompt);
  if (matches.length > 0) return matches[Math.min(prompt.highlighted, matches.length - 1)]!;
  return prompt.input.trim();
}

/** The picker's lines as shown for what was typed: suggestions, other templates, the desk's macros, own text last. */
export function replyChoices(picker: ReplyPicker): ReplyChoice[] {
  const q = picker.input.trim().toLowerCase();
  const match = (c: ReplyChoice) => q === '' || c.name.toLowerCase().includes(q);
  return [
    ...picker.suggested.filter(match),
    ...picker.templates.filter(match),
    ...picker.macros.filter(match),
    { kind: 'own', name: '', detail: 'write my own in $VISUAL / $EDITOR' },
  ];
}

/** The highlighted line of the picker. */
export function replyChoice(picker: ReplyPicker): ReplyChoice {
  const choices = replyChoices(picker);
  return choices[Math.min(picker.highlighted, choices.length - 1)]!;
}

function underOf(overlay: Overlay): 'none' | 'thread' {
  if (overlay.kind === 'thread') return 'thread';
  if (overlay.kind === 'prompt' || overlay.kind === 'reply' || overlay.kind === 'editor' || overlay.kind === 'bulkReply') return overlay.under;
  return 'none';
}

function withReply(state: TriageState, reply: ReplyOverlay): TriageState {
  return { ...state, overlay: { kind: 'reply', reply, under: underOf(state.overlay) } };
}

export function selectedItem(state: TriageState): QueueItem | undefined {
  return state.items[state.cursor];
}

/** The tickets a change applies to: the marked ones, else the one in front of the agent. */
export function actionTargets(state: TriageState): number[] {
  if (state.overlay.kind === 'thread') return [state.overlay.ticketId];
  if (state.marked.size > 0) return state.items.filter((i) => state.marked.has(i.ticket.id)).map((i) => i.ticket.id);
  const item = selectedItem(state);
  return item ? [item.ticket.id] : [];
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

function select(state: TriageState, cursor: number): TriageState {
  if (state.items.length === 0) return { ...state, cursor: 0, selectedId: null };
  const c = clamp(cursor, 0, state.items.length - 1);
  return { ...state, cursor: c, selectedId: state.items[c]!.ticket.id };
}

function replaceTickets(items: QueueItem[], tickets: readonly Ticket[]): QueueItem[] {
  if (tickets.length === 0) return items;
  const byId = new Map(tickets.map((t) => [t.id, t]));
  return items.map((item) => {
    const t = byId.get(item.ticket.id);
    return t ? { ...item, ticket: t } : item;
  });
}

function without<T>(set: ReadonlySet<T>, values: Iterable<T>): Set<T> {
  const next = new Set(set);
  for (const v of values) next.delete(v);
  return next;
}

export function reduce(state: TriageState, event: TriageEvent): TriageState {
  switch (event.type) {
    case 'loadStarted':
      // Unchanged state, no re-render: the first frame already says it is loading.
      return state.loading ? state : { ...state, loading: true };

    case 'loaded': {
      // Keep the optimistic copies of tickets whose change is still on its way.
      const current = new Map(state.items.map((i) => [i.ticket.id, i.ticket]));
      const items = event.items.map((item) =>
        state.pending.has(item.ticket.id) && current.has(item.ticket.id) ? { ...item, ticket: current.get(item.ticket.id)! } : item,
      );
      const ids = new Set(items.map((i) => i.ticket.id));
      const updated = new Map(items.map((i) => [i.ticket.id, i.ticket.updated_at]));
      const byId = state.selectedId !== null ? items.findIndex((i) => i.ticket.id === state.selectedId) : -1;
      const next: TriageState = {
        ...state,
        items,
        total: event.total,
        loading: Boolean(event.partial),
        loadedAt: event.at,
        loadRequests: event.partial ? state.loadRequests : event.requests ?? null,
        filter: event.filter ?? state.filter,
        marked: new Set([...state.marked].filter((id) => ids.has(id))),
        // A cached thread stays while its ticket is unchanged on the desk.
        threads: new Map(
          [...state.threads].filter(([id, entry]) => entry.state === 'ready' && entry.view.ticket.updated_at === updated.get(id)),
        ),
      };
      return select(next, byId >= 0 ? byId : state.cursor);
    }

    case 'loadFailed':
      return { ...state, loading: false, status: { text: event.message, tone: 'error' } };

    case 'move':
      return select(state, state.cursor + event.delta);

    case 'moveTo':
      return select(state, event.index);

    case 'toggleMark': {
      const item = selectedItem(state);
      if (!item) return state;
      const marked = new Set(state.marked);
      if (marked.has(item.ticket.id)) marked.delete(item.ticket.id);
      else marked.add(item.ticket.id);
      // Marking moves on, so several tickets are marked with space, space, space.
      return select({ ...state, marked }, state.cursor + 1);
    }

    case 'clearMarks':
      return { ...state, marked: new Set() };

    case 'openThread': {
      const item = selectedItem(state);
      if (!item) return state;
      return { ...state, overlay: { kind: 'thread', ticketId: item.ticket.id, scroll: 0 } };
    }

    case 'scrollThread': {
      if (state.overlay.kind !== 'thread') return state;
      const target = state.overlay.scroll + event.delta;
      const scroll = clamp(Number.isFinite(target) ? target : event.delta > 0 ? event.max : 0, 0, Math.max(0, event.max));
      return { ...state, overlay: { ...state.overlay, scroll } };
    }

    case 'openHelp':
      return { ...state, overlay: { kind: 'help' } };

    case 'closeOverlay': {
      const o = state.overlay;
      if ((o.kind === 'prompt' || o.kind === 'editor' || o.kind === 'reply') && o.under === 'thread' && state.selectedId !== null) {
        return { ...state, overlay: { kind: 'thread', ticketId: state.selectedId, scroll: state.threadScroll } };
      }
      return { ...state, overlay: { kind: 'none' } };
    }

    case 'openPrompt': {
      const under = state.overlay.kind === 'thread' ? 'thread' : 'none';
      const threadScroll = state.overlay.kind === 'thread' ? state.overlay.scroll : state.threadScroll;
      return { ...state, threadScroll, overlay: { kind: 'prompt', prompt: event.prompt, under } };
    }

    case 'promptInput': {
      if (state.overlay.kind !== 'prompt') return state;
      return { ...state, overlay: { ...state.overlay, prompt: { ...state.overlay.prompt, input: event.input, highlighted: 0 } } };
    }

    case 'promptChoices': {
      if (state.overlay.kind !== 'prompt' || state.overlay.prompt.purpose !== event.purpose) return state;
      return { ...state, overlay: { ...state.overlay, prompt: { ...state.overlay.prompt, choices: event.choices } } };
    }

    case 'promptHighlight': {
      if (state.overlay.kind !== 'prompt') return state;
      const p = state.overlay.prompt;
      const n = matchingChoices(p).length;
      if (n === 0) return state;
      const highlighted = (p.highlighted + event.delta + n) % n;
      return { ...state, overlay: { ...state.overlay, prompt: { ...p, highlighted } } };
    }

    case 'editorOpened': {
      const o = state.overlay;
      const threadScroll = o.kind === 'thread' ? o.scroll : state.threadScroll;
      return { ...state, threadScroll, overlay: { kind: 'editor', under: underOf(o), ...(o.kind === 'reply' ? { reply: o.reply } : {}) } };
    }

    case 'replyOpened': {
      const threadScroll = state.overlay.kind === 'thread' ? state.overlay.scroll : state.threadScroll;
      return withReply({ ...state, threadScroll }, { ticketId: event.ticketId, step: 'loading' });
    }

    case 'replyChoices': {
      const o = state.overlay;
      if (o.kind !== 'reply' || o.reply.ticketId !== event.ticketId || o.reply.step !== 'loading') return state;
      const picker: ReplyPicker = { input: '', highlighted: 0, suggested: event.suggested, templates: event.templates, macros: event.macros ?? [], problems: event.problems };
      return withReply(state, { ticketId: event.ticketId, step: 'pick', picker });
    }

    case 'replyInput':
    case 'replyHighlight': {
      const o = state.overlay;
      if (o.kind !== 'reply' || o.reply.step !== 'pick') return state;
      const p = o.reply.picker;
      let picker: ReplyPicker;
      if (event.type === 'replyInput') picker = { ...p, input: event.input, highlighted: 0 };
      else {
        const n = replyChoices(p).length;
        picker = { ...p, highlighted: (p.highlighted + event.delta + n) % n };
      }
      return withReply(state, { ...o.reply, picker });
    }

    case 'replyPreview': {
      const o = state.overlay;
      const reply = o.kind === 'reply' ? o.reply : o.kind === 'editor' ? o.reply : undefined;
      if (!reply || reply.step === 'loading' || reply.ticketId !== event.draft.ticketId) return state;
      return withReply(state, { ticketId: reply.ticketId, step: 'preview', picker: reply.picker, draft: event.draft, scroll: 0 });
    }

    case 'macroPreview': {
      const o = state.overlay;
      if (o.kind !== 'reply' || o.reply.step !== 'pick' || o.reply.ticketId !== event.preview.plan.ticketId) return state;
      return withReply(state, { ticketId: o.reply.ticketId, step: 'macro', picker: o.reply.picker, preview: event.preview, scroll: 0 });
    }

    case 'replyScroll': {
      const o = state.overlay;
      if (o.kind !== 'reply' || (o.reply.step !== 'preview' && o.reply.step !== 'macro')) return state;
      const target = o.reply.scroll + event.delta;
      const scroll = clamp(Number.isFinite(target) ? target : event.delta > 0 ? event.max : 0, 0, Math.max(0, event.max));
      return withReply(state, { ...o.reply, scroll });
    }

    case 'replyBack': {
      const o = state.overlay;
      if (o.kind === 'editor' && o.reply) return withReply(state, o.reply);
      if (o.kind !== 'reply' || (o.reply.step !== 'preview' && o.reply.step !== 'macro')) return state;
      return withReply(state, { ticketId: o.reply.ticketId, step: 'pick', picker: o.reply.picker });
    }

    case 'threadLoading':
      return { ...state, threads: new Map(state.threads).set(event.id, { state: 'loading' }) };

    case 'threadLoaded':
      return { ...state, threads: new Map(state.threads).set(event.id, { state: 'ready', view: event.view }) };

    case 'threadFailed':
      return { ...state, threads: new Map(state.threads).set(event.id, { state: 'error', message: event.message }) };

    case 'threadStale': {
      const threads = new Map(state.threads);
      for (const id of event.ids) threads.delete(id);
      return { ...state, threads };
    }

    case 'changeStarted': {
      const ids = event.tickets.map((t) => t.id);
      const outcomes = new Map(state.outcomes);
      for (const id of ids) outcomes.delete(id);
      return {
        ...state,
        items: replaceTickets(state.items, event.tickets),
        pending: new Set([...state.pending, ...ids]),
        outcomes,
        status: { text: 'saving…', tone: 'info' },
      };
    }

    case 'changeSettled': {
      const ok = event.confirmed.map((t) => t.id);
      const failed = event.rolledBack.map((t) => t.id);
      const outcomes = new Map(state.outcomes);
      for (const id of ok) outcomes.set(id, 'ok');
      for (const id of failed) outcomes.set(id, 'failed');
      return {
        ...state,
        items: replaceTickets(replaceTickets(state.items, event.confirmed), event.rolledBack),
        pending: without(state.pending, [...ok, ...failed]),
        outcomes,
        marked: event.clearMarks ? new Set() : state.marked,
        status: event.status,
      };
    }

    case 'bulkReplyPreview':
      return { ...state, overlay: { kind: 'bulkReply', targets: event.targets, body: event.body, under: underOf(state.overlay) } };

    case 'viewChanged':
      return { ...state, view: event.view, marked: new Set() };

    case 'itemsRefreshed': {
      // A ticket changed again meanwhile keeps its newer copy.
      const byId = new Map(event.items.filter((i) => !state.pending.has(i.ticket.id)).map((i) => [i.ticket.id, i]));
      if (byId.size === 0) return state;
      return { ...state, items: state.items.map((item) => byId.get(item.ticket.id) ?? item) };
    }

    case 'status':
      return { ...state, status: event.status };

    default: {
      const never: never = event;
      return never;
    }
  }
}
