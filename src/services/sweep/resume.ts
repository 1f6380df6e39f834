/** Resuming a sweep: an interrupted run finished from its journal. */
import type { HelpDesk } from '../../api/helpdesk.js';
import { ConfigError } from '../../core/errors.js';
import type { ReplyTemplate } from '../../core/templates.js';
import type { RuleSet, SweepStep } from '../../core/sweep-rules.js';
import { findTemplate, type TemplateLibrary } from '../replies.js';
import { FINAL, Journal, checkPlanRecorded, type BulkItem, type BulkOutcome, type RunState } from '../bulk/index.js';
import { inlineTemplate, type LoadedRules } from './rules.js';
import { RenderKit } from './render.js';
import { SWEEP_KIND, runAndEnd, type ExecuteOptions, type SweepRunResult } from './run.js';

/**
 * Finishes an interrupted (or partial) run from its journal: items in doubt are checked on the
 * desk (marker there: done), the rest decided again against the tickets as they are now and
 * sent. Call with the profile's sweep lock held.
 */
export async function resumeSweep(
  desk: HelpDesk,
  library: TemplateLibrary,
  state: RunState,
  options: Omit<ExecuteOptions, 'limit' | 'meta'>,
): Promise<SweepRunResult> {
  const meta = state.start.meta as { steps?: SweepStep[]; calendar?: RuleSet['calendar']; templates?: Record<string, string> };
  if (!Array.isArray(meta.steps) || !meta.calendar) throw new ConfigError(`${state.path} does not record the rules of the run; it cannot be resumed`);
  checkPlanRecorded({ kind: SWEEP_KIND }, state);
  const steps = meta.steps;
  const templates = new Map<string, ReplyTemplate>();
  const inline: ReplyTemplate[] = [];
  for (const s of steps) {
    if (s.action.template) templates.set(s.id, findTemplate(library, s.action.template, s.action.locale));
    else if (s.action.inline) {
      const t = inlineTemplate(s, s.action.inline);
      inline.push(t);
      templates.set(s.id, t);
    }
  }
  const loaded: LoadedRules = { rules: { calendar: meta.calendar, steps, files: [] }, library: { ...library, templates: [...library.templates, ...inline] }, templates };
  const stepsById = new Map(steps.map((s) => [s.id, s]));
  const groups = await desk.listGroups();
  const me = await desk.me();
  const kit = new RenderKit(desk, loaded, me, groups);

  // Earlier items of a ticket sent by this run: its later items are checked lightly.
  const touched = new Set<number>();
  const done: BulkOutcome[] = [];
  const todo: BulkItem[] = [];
  const waves = new Map<number, number>();
  const ordered = [...state.items.values()].sort((a, b) => a.ticketId - b.ticketId || steps.findIndex((s) => s.id === a.group) - steps.findIndex((s) => s.id === b.group));
  for (const it of ordered) {
    const wave = waves.get(it.ticketId) ?? 0;
    waves.set(it.ticketId, wave + 1);
    if (it.status === 'sent') touched.add(it.ticketId);
    if (FINAL.has(it.status) && it.status !== 'failed') {
      done.push({ key: it.key, ticketId: it.ticketId, group: it.group, status: it.status as 'sent' | 'skipped', reason: it.reason });
      continue;
    }
    todo.push({ key: it.key, ticketId: it.ticketId, marker: it.marker, group: it.group, wave });
  }
  const journal = Journal.reopen(state.path, state.start.run_id);
  // The summary covers the whole run: what earlier processes finished counts too.
  return runAndEnd(desk, loaded, journal, todo, done, { ...options, kit, touched, failedMarkers: new Map(), deferred: 0, stepsById });
}
