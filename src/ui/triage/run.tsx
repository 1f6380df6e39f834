/**
 * Runs the triage screen on the terminal: the alternate screen, Ink, the controller with the
 * desk, and the agent's editor for replies. Imported lazily by `deskops triage` only, while
 * the desk starts: importing it starts loading Ink, React and yoga (loadScreen) at once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelpDesk } from '../../api/helpdesk.js';
import type { ScreenStreams } from '../streams.js';
import type { UrgencyWeights } from '../../core/urgency.js';
import { describeWait, type WaitObserver } from '../../api/pacer.js';
import { DEFAULT_ENRICH, QueueCache, buildQueue, checkQueueView, refreshQueueItems, viewName, type Queue, type QueueSource, type QueueView } from '../../services/queue.js';
import { redefineDeskView, resolveQueueView, viewChoices, VIEW_DEFINITION_TTL_MS } from '../../services/views.js';
import type { RequestTally } from '../../api/tally.js';
import { deskLabel } from '../../services/desk-identity.js';
import { resolveTimeTrackingFields } from '../../services/triage.js';
import { TriageController } from './controller.js';

/**
 * Ink, React, yoga and the components, loading from the moment this module is imported, so
 * that they load while the desk starts and the first query runs. Two things make it cheaper:
 *  - React's production build. React picks its build from NODE_ENV when it is first required
 *    (the bundle carries both), so nothing else in this module may load React: no JSX here.
 *    NODE_ENV=development still gets the development build.
 *  - yoga-layout instantiates its WebAssembly with fetch() when there is a fetch, which makes
 *    Node load its whole fetch implementation (undici, some 40 ms) to read a data: URL;
 *    without one it decodes the same embedded bytes directly. fetch is hidden only while
 *    this import evaluates (nothing in deskops uses fetch: got speaks node:http) and is put
 *    back right after.
 */
const screen = loadScreen();
screen.catch(() => undefined);

function loadScreen(): Promise<typeof import('./screen.js')> {
  const env = process.env;
  const setNodeEnv = env.NODE_ENV === undefined;
  if (setNodeEnv) env.NODE_ENV = 'production';
  const global = globalThis as { fetch?: unknown };
  const fetch = global.fetch;
  if (typeof fetch === 'function') global.fetch = undefined;
  return import('./screen.js').finally(() => {
    if (typeof fetch === 'function' && global.fetch === undefined) global.fetch = fetch;
    // React has chosen; the agent's editor should not inherit the setting.
    if (setNodeEnv && env.NODE_ENV === 'production') delete env.NODE_ENV;
  });
}

export interface RunTriageOptions {
  desk: HelpDesk;
  io: ScreenStreams;
  env: NodeJS.ProcessEnv;
  view: QueueView;
  limit: number;
  weights: UrgencyWeights;
  refreshMs: number;
  escalationGroup: string;
  timeSettings: { totalFieldId?: unknown; lastUpdateFieldId?: unknown };
  now: () => number;
  /** A first load already on its way (started while this module loaded), for the filter "". */
  firstLoad?: { preliminary: Promise<Queue>; final: Promise<Queue> };
  /** The cache that first load uses, kept for the refreshes. */
  cache?: QueueCache;
  /** Aborted when the screen closes, so no queue load outlives it (also given to firstLoad). */
  abort?: AbortController;
  /** The deskops home ($DESKOPS_HOME), whose templates/ the reply picker reads. */
  home: string;
  /** Subscribes to the client's waits for an endpoint limit, shown on the status line. */
  onRateWait?: (fn: WaitObserver) => void;
  /** Where each refresh reads the view's tickets (the replica: only what changed is fetched). */
  source?: QueueSource;
  /** The command's requests: each load's count shows in the header (what a refresh costs). */
  requests?: Pick<RequestTally, 'mark' | 'since'>;
}

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[2J\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

export async function runTriage(o: RunTriageOptions): Promise<void> {
  const stdout = o.io.stdout as unknown as NodeJS.WriteStream;
  const stdin = o.io.stdin as unknown as NodeJS.ReadStream;
  const stderr = o.io.stderr as unknown as NodeJS.WriteStream;
  const cache = o.cache ?? new QueueCache();
  const abort = o.abort ?? new AbortController();
  let firstLoad = o.firstLoad;
  let view = o.view;
  // when the view's definition was read (a desk view's conditions are read again hourly)
  let viewReadAt = o.now();
  const controller = new TriageController({
    desk: o.desk,
    loadQueue: async (filter, onPreliminary) => {
      const started = filter === '' ? firstLoad : undefined;
      firstLoad = undefined;
      if (started) {
        void started.preliminary.then((q) => onPreliminary({ items: q.items, total: q.total }), () => undefined);
        const q = await started.final;
        return { items: q.items, total: q.total, ...(o.requests ? { requests: o.requests.since().total } : {}) };
      }
      const mark = o.requests?.mark();
      if (view.kind === 'desk' && o.now() - viewReadAt >= VIEW_DEFINITION_TTL_MS) {
        viewReadAt = o.now();
        view = await redefineDeskView(o.desk, view);
      }
      const q = await buildQueue(o.desk, {
        view,
        filter,
        weights: o.weights,
        now: () => new Date(o.now()),
        limit: o.limit,
        enrich: DEFAULT_ENRICH,
        cache,
        signal: abort.signal,
        onPreliminary: (early) => onPreliminary({ items: early.items, total: early.total }),
        ...(o.source ? { source: o.source } : {}),
      });
      return { items: q.items, total: q.total, ...(o.requests && mark !== undefined ? { requests: o.requests.since(mark).total } : {}) };
    },
    now: o.now,
    editText: (initial) => editInTerminal({ stdin, stdout, env: o.env, initial }),
    loadTemplates: async () => (await import('../../services/replies.js')).loadLibrary({ home: o.home }),
    loadMacros: () => o.desk.listMacros(),
    escalationGroup: o.escalationGroup,
    timeFields: () => resolveTimeTrackingFields(o.desk, o.timeSettings),
    refreshMs: o.refreshMs,
    viewName: viewName(o.view),
    setView: async (name) => {
      const next = await resolveQueueView(o.desk, name);
      await checkQueueView(o.desk, next);
      view = next;
      viewReadAt = o.now();
      firstLoad = undefined;
      return viewName(next);
    },
    views: () => viewChoices(o.desk),
    deskName: deskLabel(o.desk.connection),
    refreshItems: (items) => refreshQueueItems(o.desk, items, { now: () => new Date(o.now()), weights: o.weights }),
  });
  // A change to many marked tickets can meet the desk's 100 ticket updates a minute: say so.
  o.onRateWait?.((wait) => controller.notice(`waiting: ${describeWait(wait)}`));

  const { showTriage } = await screen;
  stdout.write(ENTER_ALT_SCREEN);
  const instance = showTriage(controller, { stdout, stdin, stderr });
  void controller.start();
  try {
    await instance.waitUntilExit();
  } finally {
    abort.abort(new Error('the triage screen closed'));
    controller.stop();
    instance.cleanup();
    stdout.write(LEAVE_ALT_SCREEN);
  }
}

/**
 * Hands the terminal to $VISUAL / $EDITOR (default vi) on a temp file: Ink's raw mode is off
 * while the editor runs, and the screen is redrawn after. Null when the file is left empty.
 */
export async function editInTerminal(options: {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  initial: string;
}): Promise<string | null> {
  const { stdin, stdout, env } = options;
  const dir = mkdtempSync(join(tmpdir(), 'deskops-reply-'));
  const file = join(dir, 'reply.txt');
  writeFileSync(file, options.initial, { mode: 0o600 });
  // Let Ink draw its "editing…" frame before the terminal is handed over.
  await new Promise((resolve) => setTimeout(resolve, 80));
  const editor = (env.VISUAL || env.EDITOR || 'vi').trim();
  try {
    if (stdin.isTTY) stdin.setRawMode(false);
    const r = spawnSync(`${editor} '${file.replace(/'/g, "'\\''")}'`, { shell: true, stdio: 'inherit', env });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${editor} exited with status ${r.status ?? r.signal}`);
    const text = readFileSync(file, 'utf8');
    return text.trim() === '' ? null : text.replace(/\s+$/, '');
  } finally {
    if (stdin.isTTY) stdin.setRawMode(true); // Ink's mode while the screen is up
    stdout.write(ENTER_ALT_SCREEN);
    rmSync(dir, { recursive: true, force: true });
  }
}
