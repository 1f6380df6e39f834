/**
 * Runs the triage screen on the terminal: the alternate screen, Ink, the controller with the
 * desk, and the agent's editor for replies. Imported lazily by `deskops triage` only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink';
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Io } from '../../cli/io.js';
import type { UrgencyWeights } from '../../core/urgency.js';
import { DEFAULT_ENRICH, QueueCache, buildQueue, viewName, type Queue, type QueueView } from '../../services/queue.js';
import { resolveTimeTrackingFields } from '../../services/triage.js';
import { TriageController } from './controller.js';
import { TriageApp } from './TriageApp.js';

export interface RunTriageOptions {
  desk: HelpDesk;
  io: Io;
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
  const controller = new TriageController({
    desk: o.desk,
    loadQueue: async (filter, onPreliminary) => {
      const started = filter === '' ? firstLoad : undefined;
      firstLoad = undefined;
      if (started) {
        void started.preliminary.then((q) => onPreliminary({ items: q.items, total: q.total }), () => undefined);
        const q = await started.final;
        return { items: q.items, total: q.total };
      }
      const q = await buildQueue(o.desk, {
        view: o.view,
        filter,
        weights: o.weights,
        now: () => new Date(o.now()),
        limit: o.limit,
        enrich: DEFAULT_ENRICH,
        cache,
        signal: abort.signal,
        onPreliminary: (early) => onPreliminary({ items: early.items, total: early.total }),
      });
      return { items: q.items, total: q.total };
    },
    now: o.now,
    editText: (initial) => editInTerminal({ stdin, stdout, env: o.env, initial }),
    escalationGroup: o.escalationGroup,
    timeFields: () => resolveTimeTrackingFields(o.desk, o.timeSettings),
    refreshMs: o.refreshMs,
    viewName: viewName(o.view),
  });

  stdout.write(ENTER_ALT_SCREEN);
  const instance = render(<TriageApp controller={controller} />, {
    stdout,
    stdin,
    stderr,
    exitOnCtrlC: false,
    patchConsole: false,
  });
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
