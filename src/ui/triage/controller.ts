/**
 * The triage screen's logic without React: holds the state (reduce in state.ts), turns keys
 * into commands (keymap.ts), runs the desk calls (services/triage.ts) with optimistic changes
 * and rollbacks, caches threads, refreshes the queue, counts handle time, and runs the reply
 * picker (templates from services/replies, loaded on the first `r`). The Ink component
 * subscribes to it and renders; tests can drive it directly.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Macro, Ticket, User } from '../../core/model.js';
import { TICKET_PRIORITIES } from '../../core/model.js';
import { HandleTimer, type TimeTrackingFields } from '../../core/handle-time.js';
import { NotFoundError } from '../../core/errors.js';
import { applyUpdateLocally, defaultEscalationReason, parseStatus } from '../../core/triage.js';
import type { QueueItem } from '../../services/queue.js';
import type { ReplyTicket, TemplateLibrary } from '../../services/replies.js';
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
import { commandFor, splitKeys, takesText, type ActionKey, type KeyEvent, type KeyInfo, type KeyMode, type TriageCommand } from './keymap.js';
import {
  actionTargets,
  initialState,
  promptValue,
  reduce,
  replyChoice,
  type PromptState,
  type ReplyChoice,
  type StatusMessage,
  type TriageEvent,
  type TriageState,
} from './state.js';

export interface LoadedQueue {
  items: QueueItem[];
  total: number;
  /** Requests the load sent (what the refresh cost the account), when counted. */
  requests?: number;
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
  /**
   * The reply templates (services/replies loadLibrary): shipped ones plus the agent's own.
   * Called once per screen, on the first `r`.
   */
  loadTemplates: () => Promise<TemplateLibrary>;
  escalationGroup: string;
  /** The Time Tracking fields (null when the desk has none). */
  timeFields: () => Promise<TimeTrackingFields | null>;
  /** Reload the queue this often; 0 turns the periodic refresh off. */
  refreshMs: number;
  /** Wait this long on a selection before fetching its thread (default 120 ms). */
  threadDelayMs?: number;
  /** Name of the view for the header, e.g. "mine". */
  viewName: string;
  /** Which desk, for the header: a live one (not the demo desk) is marked. */
  deskName?: { name: string; live: boolean };
  /**
   * Scores changed tickets again once the desk took the change (services/queue
   * refreshQueueItems), so the detail pane and the urgency do not wait for the next reload.
   */
  refreshItems?: (items: QueueItem[]) => Promise<QueueItem[]>;
  /**
   * Switches the view loadQueue reads (`v`); rejects with a UsageError for a name that is not
   * one (services/views resolveQueueView); may give the view's own name for the header.
   * Without it the screen stays on its view.
   */
  setView?: (name: string) => void | string | Promise<void | string>;
  /**
   * The desk's macros the agent may use (HelpDesk listMacros), offered in the reply picker
   * after the templates; called once per screen. A desk without macros offers none.
   */
  loadMacros?: () => Promise<Macro[]>;
  /** The views to offer: mine, unassigned, all, group:NAME for the desk's groups, and the desk's own views. */
  views?: () => Promise<string[]>;
}

export interface Viewport {
  /** Rows the list shows: PgUp/PgDn move this far. */
  pageSize: number;
  /** Last scroll offset of the open thread. */
  threadMax: number;
  /** Rows the thread view shows. */
  threadPage: number;
  /** Last scroll offset of the reply preview. */
  previewMax: number;
}

const STATUS_CHOICES = ['open', 'pending', 'hold', 'solved'];
/** Keys kept while a screen loads; a held-down key beyond this is not worth replaying. */
const TYPEAHEAD_MAX = 256;

export class TriageController {
  readonly deps: TriageDeps;
  readonly timer: HandleTimer;
  #state: TriageState;
  #listeners = new Set<() => void>();
  #quit: (() => void) | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #threadTimer: ReturnType<typeof setTimeout> | undefined;
  #threadsInFlight = new Map<number, Promise<void>>();
  #loadSeq = 0;
  #viewport: Viewport = { pageSize: 10, threadMax: 0, threadPage: 10, previewMax: 0 };
  #fieldsPromise: Promise<TimeTrackingFields | null> | undefined;
  #agentsPromise: Promise<string[]> | undefined;
  #templatesPromise: Promise<TemplateLibrary> | undefined;
  #macrosPromise: Promise<Macro[]> | undefined;
  #mePromise: Promise<User> | undefined;
  /** The ticket the open reply picker renders templates for. */
  #replyTicket: ReplyTicket | undefined;
  #stopped = false;
  /** Keys typed while the list or the reply picker was loading, replayed once it is there. */
  #typeahead: KeyEvent[] = [];
  #draining = false;
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
    if (this.#typeahead.length > 0) this.#drainTypeahead();
  }

  /** Shows a note on the status line (e.g. what a request waits for). */
  notice(text: string): void {
    this.#status(text, 'info');
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
      this.dispatch({ type: 'loaded', items: q.items, total: q.total, at: this.deps.now(), filter, ...(q.requests !== undefined ? { requests: q.requests } : {}) });
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
    if (o.kind === 'reply') {
      const step = o.reply.step;
      return step === 'loading' ? 'replyLoading' : step === 'pick' ? 'replyPick' : step === 'macro' ? 'macroPreview' : 'replyPreview';
    }
    if (o.kind === 'bulkReply') return 'bulkPreview';
    return o.kind;
  }

  /**
   * What the terminal delivered in one read: split into keypresses, each taken in the mode the
   * previous one left (`t` then `urgent⏎` in one burst opens the tag prompt, types, submits).
   */
  handleInput(input: string, key: KeyInfo): void {
    for (const event of splitKeys(input, key)) {
      let rest = event.input;
      // Outside a text field, typed text is a run of single-letter keys.
      while ([...rest].length > 1 && !takesText(this.#keyMode())) {
        const [first] = [...rest];
        this.handleKey(first!, event.key);
        rest = rest.slice(first!.length);
      }
      this.handleKey(rest, event.key);
    }
  }

  /** One keypress. While a screen is still loading, keys wait for it (type-ahead). */
  handleKey(input: string, key: KeyInfo): void {
    const mode = this.mode();
    // Escape takes back what was typed ahead, as well as what it does itself.
    if (key.escape) this.#typeahead = [];
    const command = commandFor(mode, input, key);
    if (command) {
      this.run(command);
      return;
    }
    if ((mode === 'loading' || mode === 'replyLoading') && this.#typeahead.length < TYPEAHEAD_MAX) {
      this.#typeahead.push({ input, key });
    }
  }

  /** The mode the next key is read in: still loading while type-ahead waits its turn. */
  #keyMode(): KeyMode {
    return this.#typeahead.length > 0 ? 'loading' : this.mode();
  }

  /** Replays the keys typed while a screen was loading, once it is there. */
  #drainTypeahead(): void {
    if (this.#draining || this.#typeahead.length === 0) return;
    const mode = this.mode();
    if (mode === 'loading' || mode === 'replyLoading') return;
    this.#draining = true;
    try {
      // A key may open another loading screen; the rest waits for that one.
      while (this.#typeahead.length > 0) {
        const m = this.mode();
        if (m === 'loading' || m === 'replyLoading') break;
        const { input, key } = this.#typeahead.shift()!;
        this.handleKey(input, key);
      }
    } finally {
      this.#draining = false;
    }
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
      case 'view': {
        if (!this.deps.setView) {
          this.#status('this screen shows one view', 'info');
          return;
        }
        this.dispatch({
          type: 'openPrompt',
          prompt: {
            purpose: 'view',
            title: 'View',
            input: '',
            choices: ['mine', 'unassigned', 'all'],
            highlighted: 0,
            targets: [],
            hint: "mine, unassigned, all, group:NAME or one of the desk's views",
          },
        });
        return this.deps.views?.().then(
          (names) => this.dispatch({ type: 'promptChoices', purpose: 'view', choices: names }),
          () => undefined, // the three fixed views are offered; group:NAME can be typed
        );
      }
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
      case 'replyText':
      case 'replyBackspace':
      case 'replyClear': {
        if (s.overlay.kind !== 'reply' || s.overlay.reply.step !== 'pick') return;
        const input = s.overlay.reply.picker.input;
        const next =
          command.type === 'replyText' ? input + command.text : command.type === 'replyBackspace' ? [...input].slice(0, -1).join('') : '';
        this.dispatch({ type: 'replyInput', input: next });
        return;
      }
      case 'replyHighlight':
        this.dispatch({ type: 'replyHighlight', delta: command.delta });
        return;
      case 'replyChoose': {
        if (s.overlay.kind !== 'reply' || s.overlay.reply.step !== 'pick') return;
        const id = s.overlay.reply.ticketId;
        const choice = replyChoice(s.overlay.reply.picker);
        if (choice.kind === 'own') return this.#replyInEditor([id]);
        if (choice.kind === 'macro' && choice.macroId !== undefined) return this.#previewMacro(id, choice.macroId);
        return this.#preview(id, choice.name);
      }
      case 'replySend': {
        if (s.overlay.kind !== 'reply' || s.overlay.reply.step !== 'preview') return;
        const draft = s.overlay.reply.draft;
        this.dispatch({ type: 'closeOverlay' });
        return this.perform({ kind: 'templateReply', reply: draft, note: command.note, ...(command.status ? { status: command.status } : {}) }, [draft.ticketId]);
      }
      case 'bulkSend': {
        if (s.overlay.kind !== 'bulkReply') return;
        const { targets, body } = s.overlay;
        this.dispatch({ type: 'closeOverlay' });
        return this.perform({ kind: 'reply', body, ...(command.status ? { status: command.status } : {}) }, targets);
      }
      case 'replyEdit':
        return this.#editPreview();
      case 'macroApply': {
        if (s.overlay.kind !== 'reply' || s.overlay.reply.step !== 'macro') return;
        const { plan } = s.overlay.reply.preview;
        this.dispatch({ type: 'closeOverlay' });
        return this.perform({ kind: 'macro', plan }, [plan.ticketId]);
      }
      case 'replyBack':
        this.dispatch({ type: 'replyBack' });
        return;
      case 'replyScroll':
        this.dispatch({ type: 'replyScroll', delta: command.delta, max: this.#viewport.previewMax });
        return;
      case 'replyCancel':
        this.dispatch({ type: 'closeOverlay' });
        this.#status('reply cancelled: nothing was sent', 'info');
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
        // A template is rendered for one ticket; several marked tickets get one text typed once.
        return targets.length === 1 ? this.#openReply(targets[0]!) : this.#replyInEditor(targets);
      default: {
        const never: never = kind;
        return never;
      }
    }
  }

  #submit(prompt: PromptState): Promise<unknown> | void {
    if (prompt.purpose === 'filter') return this.#applyFilter(prompt.input.trim());
    if (prompt.purpose === 'view') return this.#switchView(promptValue(prompt).trim());
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

  // --- replies -----------------------------------------------------------------------------

  /** The picker: suggestions for the ticket first, then every other template, then own text. */
  async #openReply(id: number): Promise<void> {
    this.dispatch({ type: 'replyOpened', ticketId: id });
    const stillLoading = () => {
      const o = this.#state.overlay;
      return o.kind === 'reply' && o.reply.ticketId === id && o.reply.step === 'loading';
    };
    try {
      const [replies, library, ticket, macroList] = await Promise.all([replyModule(), this.#templates(), this.#loadReplyTicket(id), this.#macros()]);
      if (!stillLoading()) return; // cancelled meanwhile
      this.#replyTicket = ticket;
      const suggested: ReplyChoice[] = replies
        .suggestionsFor(library, ticket, new Date(this.deps.now()))
        .map((x) => ({ kind: 'suggested', name: x.name, detail: x.reasons.join('; ') }));
      const taken = new Set(suggested.map((x) => x.name));
      const templates: ReplyChoice[] = [];
      for (const t of [...library.templates].sort((a, b) => a.name.localeCompare(b.name) || (a.locale === 'en' ? -1 : b.locale === 'en' ? 1 : 0))) {
        if (taken.has(t.name)) continue;
        taken.add(t.name);
        templates.push({ kind: 'template', name: t.name, detail: t.description });
      }
      const problems = new Set(library.problems.map((p) => p.path)).size;
      const { macroSummary } = await import('../../core/macros.js');
      const macros: ReplyChoice[] = macroList.map((m) => ({ kind: 'macro', name: m.title, macroId: m.id, detail: m.description?.trim() || macroSummary(m.actions) }));
      this.dispatch({ type: 'replyChoices', ticketId: id, suggested, templates, macros, problems });
    } catch (err) {
      if (stillLoading()) this.dispatch({ type: 'closeOverlay' });
      this.#status(`cannot reply from a template: ${messageOf(err)}`, 'error');
    }
  }

  /** Renders the template for the ticket: the preview is the exact text sent. A failure sends nothing. */
  async #preview(id: number, template: string): Promise<void> {
    const ticket = this.#replyTicket;
    if (!ticket || ticket.view.ticket.id !== id) return;
    try {
      const [replies, library] = await Promise.all([replyModule(), this.#templates()]);
      const draft = replies.renderForTicket(library, ticket, { template });
      this.dispatch({ type: 'replyPreview', draft });
      this.dispatch({ type: 'status', status: null });
    } catch (err) {
      this.#status(`${messageOf(err)}; nothing was sent`, 'error');
    }
  }

  /** e on the preview: the text in the agent's editor, then the preview again. */
  async #editPreview(): Promise<void> {
    const o = this.#state.overlay;
    const ticket = this.#replyTicket;
    if (o.kind !== 'reply' || o.reply.step !== 'preview' || !ticket) return;
    const draft = o.reply.draft;
    this.dispatch({ type: 'editorOpened' });
    let text: string | null;
    try {
      text = await this.deps.editText(draft.body);
    } catch (err) {
      this.dispatch({ type: 'replyBack' });
      this.#status(`the editor failed: ${messageOf(err)}`, 'error');
      return;
    }
    if (text === null || text.trim() === '') {
      this.dispatch({ type: 'replyBack' });
      this.#status('the edited text was empty: the preview is unchanged', 'info');
      return;
    }
    const { literalReply } = await replyModule();
    this.dispatch({ type: 'replyPreview', draft: { ...draft, body: literalReply(ticket, text).body } });
  }

  /** The ticket's thread (as the screen shows it) and the agent, for placeholders and suggestions. */
  async #loadReplyTicket(id: number): Promise<ReplyTicket> {
    const [, me, replies] = await Promise.all([this.ensureThread(id), this.#me(), replyModule()]);
    const entry = this.#state.threads.get(id);
    if (entry?.state !== 'ready') throw new Error(entry?.state === 'error' ? entry.message : `the thread of #${id} did not load`);
    return replies.replyTicketFrom(entry.view, me);
  }

  #templates(): Promise<TemplateLibrary> {
    this.#templatesPromise ??= this.deps.loadTemplates();
    this.#templatesPromise.catch(() => {
      this.#templatesPromise = undefined;
    });
    return this.#templatesPromise;
  }

  /** The desk's macros, once per screen; none when the desk has none or cannot list them now. */
  #macros(): Promise<Macro[]> {
    if (!this.deps.loadMacros) return Promise.resolve([]);
    this.#macrosPromise ??= this.deps.loadMacros().catch((err: unknown) => {
      this.#macrosPromise = undefined;
      // A desk without macros (Request Tracker) is not an error worth a line; anything else is.
      if (!(err instanceof NotFoundError)) this.#status(`the desk's macros are not offered: ${messageOf(err)}`, 'error');
      return [];
    });
    return this.#macrosPromise;
  }

  /**
   * Asks the desk what the macro would do to the ticket (nothing saved) and shows every
   * change; the list's copy of the ticket is brought up to the version previewed, so the
   * update that follows is safe against exactly that version.
   */
  async #previewMacro(id: number, macroId: number): Promise<void> {
    const macro = (await this.#macros()).find((m) => m.id === macroId);
    const item = this.#state.items.find((i) => i.ticket.id === id);
    if (!macro) return;
    this.#status(`asking the desk what "${macro.title}" would change…`, 'info');
    try {
      const { previewMacro } = await import('../../services/macros.js');
      const preview = await previewMacro(this.deps.desk, id, macro, item?.ticket);
      if (item && item.ticket.updated_at !== preview.plan.before.updated_at) {
        // the desk's current copy, keeping the SLA targets and metrics the list read with it
        this.dispatch({ type: 'itemsRefreshed', items: [{ ...item, ticket: { ...item.ticket, ...preview.plan.before } }] });
      }
      this.dispatch({ type: 'macroPreview', preview });
      this.dispatch({ type: 'status', status: preview.empty ? { text: `"${macro.title}" changes nothing on #${id}`, tone: 'info' } : null });
    } catch (err) {
      this.#status(`${messageOf(err)}; nothing was sent`, 'error');
    }
  }

  #me(): Promise<User> {
    this.#mePromise ??= this.deps.desk.me();
    this.#mePromise.catch(() => {
      this.#mePromise = undefined;
    });
    return this.#mePromise;
  }

  /** The agent's own text in $VISUAL / $EDITOR, sent when saved; an empty file cancels. */
  async #replyInEditor(targets: number[]): Promise<void> {
    const fromPicker = this.#state.overlay.kind === 'reply' ? this.#state.overlay.reply : undefined;
    this.dispatch({ type: 'editorOpened' });
    let text: string | null;
    try {
      text = await this.deps.editText('');
    } catch (err) {
      this.dispatch({ type: 'closeOverlay' });
      this.#status(`the editor failed: ${messageOf(err)}`, 'error');
      return;
    }
    if (text === null || text.trim() === '') {
      this.dispatch({ type: 'closeOverlay' });
      this.#status('reply cancelled (the file was empty)', 'info');
      return;
    }
    // One ticket, from the picker: the text is previewed as a template's is, and sent from there.
    const ticket = this.#replyTicket;
    if (targets.length === 1 && fromPicker && ticket && ticket.view.ticket.id === targets[0]) {
      const { literalReply } = await replyModule();
      this.dispatch({ type: 'replyPreview', draft: literalReply(ticket, text) });
      return;
    }
    // Several tickets: the one text, and who gets it, before it goes to all of them.
    this.dispatch({ type: 'closeOverlay' });
    this.dispatch({ type: 'bulkReplyPreview', targets, body: text.replace(/\s+$/, '') });
  }

  async #applyFilter(filter: string): Promise<void> {
    this.#status(filter ? `filtering: ${filter}…` : 'clearing the filter…', 'info');
    const ok = await this.refresh(filter);
    if (ok) {
      const n = this.#state.total;
      this.#status(filter ? `filter "${filter}": ${n} ticket${n === 1 ? '' : 's'}` : `filter cleared: ${n} tickets`, 'ok');
    }
  }

  async #switchView(name: string): Promise<void> {
    if (name === '' || !this.deps.setView) return;
    let shown = name;
    try {
      shown = (await this.deps.setView(name)) || name;
    } catch (err) {
      this.#status(messageOf(err), 'error');
      return;
    }
    this.dispatch({ type: 'viewChanged', view: shown });
    if (await this.refresh()) {
      const n = this.#state.total;
      this.#status(`view ${shown}: ${n} ticket${n === 1 ? '' : 's'}`, 'ok');
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
    let planned: Array<{ ticket: Ticket; update: ReturnType<PlannedAction['updateFor']> }>;
    try {
      planned = tickets.map((ticket) => ({ ticket, update: plan.updateFor(ticket) }));
    } catch (err) {
      this.#status(messageOf(err), 'error');
      return;
    }
    const seconds = new Map<number, number>();
    const updates = planned.map(({ ticket, update }) => {
      const spent = this.timer.take(ticket.id);
      seconds.set(ticket.id, spent);
      return { ticket, update: withHandleTime(update, ticket, spent, fields) };
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
    await this.#rescore(updates.map((u) => u.ticket.id));
    if (withComment.length > 0) {
      this.dispatch({ type: 'threadStale', ids: withComment });
      const selected = this.#state.selectedId;
      if (selected !== null && withComment.includes(selected)) await this.ensureThread(selected);
    }
  }

  /** The changed tickets as the desk has them now: SLA, names and urgency. */
  async #rescore(ids: number[]): Promise<void> {
    if (!this.deps.refreshItems) return;
    const changed = this.#state.items.filter((i) => ids.includes(i.ticket.id) && this.#state.outcomes.get(i.ticket.id) === 'ok');
    if (changed.length === 0) return;
    try {
      this.dispatch({ type: 'itemsRefreshed', items: await this.deps.refreshItems(changed) });
    } catch {
      // the next reload brings them
    }
  }

  // --- threads, time, agents ---------------------------------------------------------------

  /** Fetches the ticket's thread unless it is cached; settles when it is there (or failed). */
  ensureThread(id: number): Promise<void> {
    if (this.#state.threads.get(id)?.state === 'ready') return Promise.resolve();
    const inFlight = this.#threadsInFlight.get(id);
    if (inFlight) return inFlight;
    const load = (async () => {
      this.dispatch({ type: 'threadLoading', id });
      try {
        const view = await viewTicket(this.deps.desk, id);
        this.dispatch({ type: 'threadLoaded', id, view });
      } catch (err) {
        this.dispatch({ type: 'threadFailed', id, message: messageOf(err) });
      } finally {
        this.#threadsInFlight.delete(id);
      }
    })();
    this.#threadsInFlight.set(id, load);
    return load;
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

/** services/replies (the template engine), loaded on the first reply. */
function replyModule(): Promise<typeof import('../../services/replies.js')> {
  return import('../../services/replies.js');
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
