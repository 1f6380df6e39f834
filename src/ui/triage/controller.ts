/**
 * The triage screen's logic without React: holds the state (reduce in state.ts), turns keys
 * into commands (keymap.ts), runs the desk calls (services/triage.ts) with optimistic changes
 * and rollbacks, caches threads, refreshes the queue, and counts handle time. The Ink
 * component subscribes to it and renders; tests can drive it directly.
 */
import type { HelpDesk, Ticket } from '../../api/helpdesk.js';
import { TICKET_PRIORITIES } from '../../api/types.js';
import { HandleTimer, type TimeTrackingFields } from '../../core/handle-time.js';
import { applyUpdateLocally, defaultEscalationReason, parseStatus } from '../../core/triage.js';
import type { QueueItem } from '../../services/queue.js';
import { viewTicket } from '../../services/tickets.js';
import {
  applyToMany,
  applyToOne,
  listAssignees,
  planAction,
  withHandleTime,
  type PlannedAction,
  type TriageAction,
} from '../../services/triage.js';
import { commandFor, type ActionKey, type KeyInfo, type KeyMode, type TriageCommand } from './keymap.js';
import {
  actionTargets,
  initialState,
  promptValue,
  reduce,
  type PromptState,
  type StatusMessage,
  type TriageEvent,
  type TriageState,
} from './state.js';

export interface LoadedQueue {
  items: QueueItem[];
  total: number;
}

export interface TriageDeps {
  desk: HelpDesk;
  /**
   * The view's queue with the `/` filter applied (services/queue buildQueue). It may hand over
   * a preliminary ranking first, shown while the rest is read.
   */
  loadQueue: (filter: string, onPreliminary: (queue: LoadedQueue) => void) => Promise<LoadedQueue>;
  /** Milliseconds clock for handle time and timestamps. */
  now: () => number;
  /** Opens the agent's editor; resolves to the text, or null when left empty. */
  editText: (initial: string) => Promise<string | null>;
  escalationGroup: string;
  /** The Time Tracking fields (null when the desk has none). */
  timeFields: () => Promise<TimeTrackingFields | null>;
  /** Reload the queue this often; 0 turns the periodic refresh off. */
  refreshMs: number;
  /** Wait this long on a selection before fetching its thread (default 120 ms). */
  threadDelayMs?: number;
  /** Name of the view for the header, e.g. "mine". */
  viewName: string;
}

export interface Viewport {
  /** Rows the list shows: PgUp/PgDn move this far. */
  pageSize: number;
  /** Last scroll offset of the open thread. */
  threadMax: number;
  /** Rows the thread view shows. */
  threadPage: number;
}

const STATUS_CHOICES = ['open', 'pending', 'hold', 'solved'];

export class TriageController {
  readonly deps: TriageDeps;
  readonly timer: HandleTimer;
  #state: TriageState;
  #listeners = new Set<() => void>();
  #quit: (() => void) | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #threadTimer: ReturnType<typeof setTimeout> | undefined;
  #threadsInFlight = new Set<number>();
  #loadSeq = 0;
  #viewport: Viewport = { pageSize: 10, threadMax: 0, threadPage: 10 };
  #fieldsPromise: Promise<TimeTrackingFields | null> | undefined;
  #agentsPromise: Promise<string[]> | undefined;
  #stopped = false;
  /** Settles when the work started by the last key is done (for tests and the runner). */
  idle: Promise<void> = Promise.resolve();

  constructor(deps: TriageDeps) {
    this.deps = deps;
    this.timer = new HandleTimer(deps.now);
    this.#state = initialState();
  }

  // --- store -------------------------------------------------------------------------------

  getState = (): TriageState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  dispatch(event: TriageEvent): void {
    if (this.#stopped) return;
    const before = this.#state;
    const after = reduce(before, event);
    if (after === before) return;
    this.#state = after;
    if (after.selectedId !== before.selectedId) this.#selectionChanged();
    for (const l of this.#listeners) l();
  }

  setQuitHandler(fn: () => void): void {
    this.#quit = fn;
  }

  setViewport(viewport: Viewport): void {
    this.#viewport = viewport;
  }

  // --- life cycle --------------------------------------------------------------------------

  /** First load and the periodic refresh. */
  start(): Promise<boolean> {
    const first = this.refresh();
    if (this.deps.refreshMs > 0) {
      this.#refreshTimer = setInterval(() => {
        if (!this.#state.loading) void this.refresh();
      }, this.deps.refreshMs);
      this.#refreshTimer.unref?.();
    }
    return first;
  }

  stop(): void {
    this.timer.focus(null);
    this.#stopped = true;
    if (this.#refreshTimer) clearInterval(this.#refreshTimer);
    if (this.#threadTimer) clearTimeout(this.#threadTimer);
    this.#listeners.clear();
  }

  /** Reloads the queue; the selection stays on the same ticket. */
  async refresh(filter = this.#state.filter): Promise<boolean> {
    const seq = ++this.#loadSeq;
    this.dispatch({ type: 'loadStarted' });
    try {
      const q = await this.deps.loadQueue(filter, (early) => {
        if (seq === this.#loadSeq) {
          this.dispatch({ type: 'loaded', items: early.items, total: early.total, at: this.deps.now(), filter, partial: true });
        }
      });
      if (seq !== this.#loadSeq) return false;
      this.dispatch({ type: 'loaded', items: q.items, total: q.total, at: this.deps.now(), filter });
      // the selected ticket's thread, if the reload found it changed
      const selected = this.#state.selectedId;
      if (selected !== null) await this.ensureThread(selected);
      return true;
    } catch (err) {
      if (seq !== this.#loadSeq) return false;
      this.dispatch({ type: 'loadFailed', message: `could not load the queue: ${messageOf(err)}` });
      return false;
    }
  }

  // --- keys --------------------------------------------------------------------------------

  mode(): KeyMode {
    const o = this.#state.overlay;
    if (o.kind === 'none') return this.#state.items.length === 0 && this.#state.loading ? 'loading' : 'list';
    return o.kind;
  }

  handleKey(input: string, key: KeyInfo): void {
    const command = commandFor(this.mode(), input, key);
    if (command) this.run(command);
  }

  run(command: TriageCommand): void {
    const work = this.#run(command);
    if (work) this.idle = this.idle.then(() => work).then(() => undefined, () => undefined);
  }

  #run(command: TriageCommand): Promise<unknown> | void {
    const s = this.#state;
    switch (command.type) {
      case 'quit':
        this.timer.focus(null);
        this.#quit?.();
        return;
      case 'move':
        this.dispatch({ type: 'move', delta: command.delta });
        return;
      case 'page':
        this.dispatch({ type: 'move', delta: command.direction * Math.max(1, this.#viewport.pageSize - 1) });
        return;
      case 'edge':
        this.dispatch({ type: 'moveTo', index: command.where === 'first' ? 0 : s.items.length - 1 });
        return;
      case 'open': {
        this.dispatch({ type: 'openThread' });
        if (s.selectedId !== null) return this.ensureThread(s.selectedId);
        return;
      }
      case 'back':
        this.dispatch({ type: 'closeOverlay' });
        return;
      case 'help':
        this.dispatch({ type: 'openHelp' });
        return;
      case 'mark':
        this.dispatch({ type: 'toggleMark' });
        return;
      case 'clearMarks':
        if (s.marked.size > 0) {
          this.dispatch({ type: 'clearMarks' });
          this.#status('marks cleared', 'info');
        }
        return;
      case 'refresh':
        return this.refresh();
      case 'filter':
        this.dispatch({
          type: 'openPrompt',
          prompt: {
            purpose: 'filter',
            title: 'Filter',
            input: s.filter,
            choices: [],
            highlighted: 0,
            targets: [],
            hint: 'search terms as in `ticket list --query`, e.g. tags:refund priority:urgent; empty clears',
          },
        });
        return;
      case 'scroll':
        this.dispatch({ type: 'scrollThread', delta: command.delta, max: this.#viewport.threadMax });
        return;
      case 'scrollPage':
        this.dispatch({
          type: 'scrollThread',
          delta: command.direction * Math.max(1, this.#viewport.threadPage - 1),
          max: this.#viewport.threadMax,
        });
        return;
      case 'action':
        return this.#openAction(command.action);
      case 'promptText':
      case 'promptBackspace':
      case 'promptClear': {
        if (s.overlay.kind !== 'prompt') return;
        const input = s.overlay.prompt.input;
        const next =
          command.type === 'promptText' ? input + command.text : command.type === 'promptBackspace' ? [...input].slice(0, -1).join('') : '';
        this.dispatch({ type: 'promptInput', input: next });
        return;
      }
      case 'promptHighlight':
        this.dispatch({ type: 'promptHighlight', delta: command.delta });
        return;
      case 'promptComplete': {
        if (s.overlay.kind !== 'prompt' || s.overlay.prompt.choices.length === 0) return;
        this.dispatch({ type: 'promptInput', input: promptValue(s.overlay.prompt) });
        return;
      }
      case 'promptCancel':
        this.dispatch({ type: 'closeOverlay' });
        return;
      case 'promptSubmit': {
        if (s.overlay.kind !== 'prompt') return;
        const prompt = s.overlay.prompt;
        this.dispatch({ type: 'closeOverlay' });
        return this.#submit(prompt);
      }
      default: {
        const never: never = command;
        return never;
      }
    }
  }

  // --- actions -----------------------------------------------------------------------------

  #openAction(kind: ActionKey): Promise<unknown> | void {
    const s = this.#state;
    const targets = actionTargets(s);
    if (targets.length === 0) {
      this.#status('no ticket selected', 'error');
      return;
    }
    const busy = targets.find((id) => s.pending.has(id));
    if (busy !== undefined) {
      this.#status(`#${busy} is still being saved; try again in a moment`, 'error');
      return;
    }
    const first = s.items.find((i) => i.ticket.id === targets[0]);
    const what = targets.length === 1 ? `#${targets[0]}` : `${targets.length} marked tickets`;
    const open = (prompt: Omit<PromptState, 'highlighted' | 'targets'>) =>
      this.dispatch({ type: 'openPrompt', prompt: { ...prompt, highlighted: 0, targets } });
    switch (kind) {
      case 'assign': {
        open({ purpose: 'assign', title: `Assign ${what} to`, input: '', choices: ['me'], hint: 'type to filter agents' });
        return this.#agents().then(
          (names) => this.dispatch({ type: 'promptChoices', purpose: 'assign', choices: ['me', ...names, 'none'] }),
          (err: unknown) => this.#status(`could not list agents: ${messageOf(err)}`, 'error'),
        );
      }
      case 'escalate':
        open({
          purpose: 'escalate',
          title: `Escalate ${what} to ${this.deps.escalationGroup}; reason`,
          input: defaultEscalationReason(first?.urgency.reasons ?? []),
          choices: [],
          hint: 'moves to the group, raises the priority one step and adds this as an internal note',
        });
        return;
      case 'priority':
        open({ purpose: 'priority', title: `Priority of ${what}`, input: '', choices: [...TICKET_PRIORITIES].reverse() });
        return;
      case 'status':
        open({ purpose: 'status', title: `Status of ${what}`, input: '', choices: STATUS_CHOICES });
        return;
      case 'tag':
        open({ purpose: 'tag', title: `Tags for ${what}`, input: '', choices: [], hint: 'tags to add; -tag removes one' });
        return;
      case 'note':
        open({ purpose: 'note', title: `Internal note on ${what}`, input: '', choices: [] });
        return;
      case 'reply':
        return this.#reply(targets);
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  #submit(prompt: PromptState): Promise<unknown> | void {
    if (prompt.purpose === 'filter') return this.#applyFilter(prompt.input.trim());
    const value = promptValue(prompt);
    let action: TriageAction;
    switch (prompt.purpose) {
      case 'assign':
        action = { kind: 'assign', who: value };
        break;
      case 'escalate':
        action = { kind: 'escalate', reason: prompt.input };
        break;
      case 'priority':
        action = { kind: 'priority', priority: value };
        break;
      case 'status':
        action = { kind: 'status', status: value };
        break;
      case 'tag':
        action = { kind: 'tag', input: prompt.input };
        break;
      case 'note':
        action = { kind: 'note', body: prompt.input };
        break;
      default: {
        const never: never = prompt.purpose;
        return never;
      }
    }
    return this.perform(action, prompt.targets);
  }

  async #reply(targets: number[]): Promise<void> {
    this.dispatch({ type: 'editorOpened' });
    let text: string | null;
    try {
      text = await this.deps.editText('');
    } catch (err) {
      this.dispatch({ type: 'closeOverlay' });
      this.#status(`the editor failed: ${messageOf(err)}`, 'error');
      return;
    }
    this.dispatch({ type: 'closeOverlay' });
    if (text === null || text.trim() === '') {
      this.#status('reply cancelled (the file was empty)', 'info');
      return;
    }
    await this.perform({ kind: 'reply', body: text }, targets);
  }

  async #applyFilter(filter: string): Promise<void> {
    this.#status(filter ? `filtering: ${filter}…` : 'clearing the filter…', 'info');
    const ok = await this.refresh(filter);
    if (ok) {
      const n = this.#state.total;
      this.#status(filter ? `filter "${filter}": ${n} ticket${n === 1 ? '' : 's'}` : `filter cleared: ${n} tickets`, 'ok');
    }
  }

  /**
   * Applies an action to tickets: checks and resolves it first (bad input changes nothing),
   * shows the change at once, sends it with each ticket's handle time, and keeps or rolls
   * back each ticket by the desk's answer.
   */
  async perform(action: TriageAction, targetIds: number[]): Promise<void> {
    if (action.kind === 'status') {
      try {
        parseStatus(action.status);
      } catch (err) {
        this.#status(messageOf(err), 'error');
        return;
      }
    }
    this.#status('…', 'info');
    let plan: PlannedAction;
    try {
      plan = await planAction(
        { desk: this.deps.desk, escalationGroup: this.deps.escalationGroup, timeFields: null },
        action,
      );
    } catch (err) {
      this.#status(messageOf(err), 'error');
      return;
    }
    const fields = await this.#timeFields();
    const byId = new Map(this.#state.items.map((i) => [i.ticket.id, i.ticket]));
    const tickets = targetIds.map((id) => byId.get(id)).filter((t): t is Ticket => t !== undefined);
    if (tickets.length === 0) {
      this.#status('those tickets are no longer in the list', 'error');
      return;
    }
    const busy = tickets.find((t) => this.#state.pending.has(t.id));
    if (busy) {
      this.#status(`#${busy.id} is still being saved; try again in a moment`, 'error');
      return;
    }
    const seconds = new Map<number, number>();
    const updates = tickets.map((ticket) => {
      const spent = this.timer.take(ticket.id);
      seconds.set(ticket.id, spent);
      return { ticket, update: withHandleTime(plan.updateFor(ticket), ticket, spent, fields) };
    });
    const optimistic = updates.map((u) => applyUpdateLocally(u.ticket, u.update));
    this.dispatch({ type: 'changeStarted', tickets: optimistic });

    const withComment = updates.filter((u) => u.update.comment).map((u) => u.ticket.id);
    if (updates.length === 1) {
      const u = updates[0]!;
      try {
        const saved = await applyToOne(this.deps.desk, u.ticket, u.update);
        this.dispatch({
          type: 'changeSettled',
          confirmed: [saved],
          rolledBack: [],
          status: { text: `#${u.ticket.id}: ${plan.summary}${timeNote(seconds.get(u.ticket.id)!, fields)}`, tone: 'ok' },
          clearMarks: true,
        });
      } catch (err) {
        this.timer.restore(u.ticket.id, seconds.get(u.ticket.id)!);
        this.dispatch({
          type: 'changeSettled',
          confirmed: [],
          rolledBack: [u.ticket],
          status: { text: `#${u.ticket.id} not changed: ${messageOf(err)}`, tone: 'error' },
          clearMarks: false,
        });
        return;
      }
    } else {
      const outcomes = await applyToMany(this.deps.desk, updates).catch((err: unknown) =>
        updates.map((u) => ({ id: u.ticket.id, ok: false, error: messageOf(err), ticket: undefined })),
      );
      const confirmed: Ticket[] = [];
      const rolledBack: Ticket[] = [];
      const failures: string[] = [];
      outcomes.forEach((o, i) => {
        const u = updates[i]!;
        if (o.ok) confirmed.push(o.ticket ?? optimistic[i]!);
        else {
          rolledBack.push(u.ticket);
          this.timer.restore(u.ticket.id, seconds.get(u.ticket.id)!);
          failures.push(`#${u.ticket.id} (${oneLine(o.error ?? 'failed')})`);
        }
      });
      const text =
        failures.length === 0
          ? `${plan.summary}: all ${updates.length} tickets`
          : `${plan.summary}: ${confirmed.length} of ${updates.length} tickets; not changed: ${failures.join(', ')}`;
      this.dispatch({
        type: 'changeSettled',
        confirmed,
        rolledBack,
        status: { text, tone: failures.length === 0 ? 'ok' : 'error' },
        clearMarks: true,
      });
    }
    if (withComment.length > 0) {
      this.dispatch({ type: 'threadStale', ids: withComment });
      const selected = this.#state.selectedId;
      if (selected !== null && withComment.includes(selected)) await this.ensureThread(selected);
    }
  }

  // --- threads, time, agents ---------------------------------------------------------------

  /** Fetches the ticket's thread unless it is cached or on its way. */
  async ensureThread(id: number): Promise<void> {
    if (this.#state.threads.get(id)?.state === 'ready' || this.#threadsInFlight.has(id)) return;
    this.#threadsInFlight.add(id);
    this.dispatch({ type: 'threadLoading', id });
    try {
      const view = await viewTicket(this.deps.desk, id);
      this.dispatch({ type: 'threadLoaded', id, view });
    } catch (err) {
      this.dispatch({ type: 'threadFailed', id, message: messageOf(err) });
    } finally {
      this.#threadsInFlight.delete(id);
    }
  }

  #selectionChanged(): void {
    const id = this.#state.selectedId;
    this.timer.focus(id);
    if (this.#threadTimer) clearTimeout(this.#threadTimer);
    if (id === null) return;
    const delay = this.deps.threadDelayMs ?? 120;
    const fetch = () => {
      if (this.#state.selectedId === id) {
        const work = this.ensureThread(id);
        this.idle = this.idle.then(() => work).then(() => undefined, () => undefined);
      }
    };
    if (delay <= 0) fetch();
    else {
      this.#threadTimer = setTimeout(fetch, delay);
      this.#threadTimer.unref?.();
    }
  }

  #timeFields(): Promise<TimeTrackingFields | null> {
    this.#fieldsPromise ??= this.deps.timeFields().catch((err: unknown) => {
      this.#status(`handle time is not recorded: ${messageOf(err)}`, 'error');
      return null;
    });
    return this.#fieldsPromise;
  }

  #agents(): Promise<string[]> {
    this.#agentsPromise ??= listAssignees(this.deps.desk).then(({ me, agents }) =>
      agents.filter((a) => a.id !== me?.id).map((a) => a.name),
    );
    this.#agentsPromise.catch(() => {
      this.#agentsPromise = undefined;
    });
    return this.#agentsPromise;
  }

  #status(text: string, tone: StatusMessage['tone']): void {
    this.dispatch({ type: 'status', status: { text, tone } });
  }
}

function timeNote(seconds: number, fields: TimeTrackingFields | null): string {
  if (!fields || seconds <= 0) return '';
  return ` (${seconds}s logged)`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return oneLine(err.message);
  return oneLine(String(err));
}
