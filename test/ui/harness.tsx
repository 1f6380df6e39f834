/**
 * Renders the triage screen with ink-testing-library against a real seeded desk: frames are
 * stripped of ANSI, and tests wait on conditions (polling), never on fixed sleeps.
 */
import { render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import { buildQueue, checkQueueView, refreshQueueItems, viewName, type QueueSource, type QueueView } from '../../src/services/queue.js';
import type { RequestTally } from '../../src/api/tally.js';
import { resolveQueueView, viewChoices } from '../../src/services/views.js';
import { deskLabel } from '../../src/services/desk-identity.js';
import { loadLibrary } from '../../src/services/replies.js';
import { resolveTimeTrackingFields } from '../../src/services/triage.js';
import { TriageController, type LoadedQueue, type TriageDeps } from '../../src/ui/triage/controller.js';
import { TriageApp, type TerminalSize } from '../../src/ui/triage/TriageApp.js';

export const KEY = {
  down: '\u001b[B',
  up: '\u001b[A',
  enter: '\r',
  escape: '\u001b',
  space: ' ',
  backspace: '\u007f',
} as const;

export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Screen {
  controller: TriageController;
  clock: { now: number };
  frame(): string;
  frames(): string[];
  /** Types keys one at a time, each after the screen has taken the previous one. */
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitForText(text: string | RegExp, what?: string): Promise<string>;
  rerender(size: TerminalSize): void;
  quitCalls: number;
  unmount(): void;
}

export interface MountOptions {
  size?: TerminalSize;
  loadQueue?: (filter: string) => Promise<LoadedQueue>;
  editText?: TriageDeps['editText'];
  /** The deskops home whose templates/ the reply picker reads (default: shipped templates only). */
  home?: string;
  loadTemplates?: TriageDeps['loadTemplates'];
  loadMacros?: TriageDeps['loadMacros'];
  refreshMs?: number;
  limit?: number;
  /** Where the default loadQueue reads the view's tickets (a replica session's), as triage's run.tsx passes it. */
  source?: QueueSource;
  /** Counts the requests of each load of the default loadQueue (the header's "N requests"). */
  tally?: RequestTally;
}

export async function mountTriage(desk: HelpDesk, options: MountOptions = {}): Promise<Screen> {
  const clock = { now: Date.now() };
  let view: QueueView = { kind: 'all' };
  const controller = new TriageController({
    desk,
    loadQueue:
      options.loadQueue ??
      (async (filter) => {
        const mark = options.tally?.mark();
        const q = await buildQueue(desk, { view, filter, now: () => new Date(clock.now), limit: options.limit ?? 40, enrich: 5, ...(options.source ? { source: options.source } : {}) });
        return { items: q.items, total: q.total, ...(options.tally && mark !== undefined ? { requests: options.tally.since(mark).total } : {}) };
      }),
    now: () => clock.now,
    editText: options.editText ?? (async () => null),
    loadTemplates: options.loadTemplates ?? (() => loadLibrary({ home: options.home ?? '/nonexistent/deskops-home' })),
    escalationGroup: 'escalations',
    timeFields: () => resolveTimeTrackingFields(desk, {}),
    refreshMs: options.refreshMs ?? 0,
    threadDelayMs: 0,
    viewName: 'all',
    refreshItems: (items) => refreshQueueItems(desk, items, { now: () => new Date(clock.now) }),
    // as src/ui/triage/run.tsx wires them
    setView: async (name) => {
      const next = await resolveQueueView(desk, name);
      await checkQueueView(desk, next);
      view = next;
      return viewName(next);
    },
    views: () => viewChoices(desk),
    loadMacros: options.loadMacros ?? (() => desk.listMacros()),
    deskName: deskLabel(desk.connection),
  });
  let size = options.size ?? { columns: 100, rows: 30 };
  const screen: Screen = {
    controller,
    clock,
    quitCalls: 0,
    frame: () => stripAnsi(instance.lastFrame() ?? ''),
    frames: () => instance.frames.map((f) => stripAnsi(f)),
    async press(...keys) {
      for (const k of keys) {
        instance.stdin.write(k);
        // A lone escape is delivered on the next turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        // Whatever the key started (a desk call, a thread fetch) is done.
        await controller.idle;
      }
    },
    async type(text) {
      for (const ch of text) await screen.press(ch);
    },
    async waitForText(text, what) {
      return waitFor(() => {
        const f = screen.frame();
        return (typeof text === 'string' ? f.includes(text) : text.test(f)) ? f : undefined;
      }, what ?? `the screen to show ${String(text)}`);
    },
    rerender(next) {
      size = next;
      instance.rerender(app());
    },
    unmount() {
      controller.stop();
      instance.unmount();
      instance.cleanup();
    },
  };
  const app = () => <TriageApp controller={controller} size={size} onQuit={() => (screen.quitCalls += 1)} />;
  const instance = render(app());
  await controller.start();
  return screen;
}
