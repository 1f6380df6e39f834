/**
 * Follow-up sweeps: rule-driven bulk follow-ups (reminders, check-ins, transfer follow-ups,
 * nudges) over every ticket that is due, each sent exactly once.
 *
 *   loadSweepRules     shipped templates/sweeps/*.yml + $DESKOPS_HOME/sweeps/*.yml, or --rules
 *   planSweepRun       candidates from the uncapped search export, the facts the rules need
 *                      (metric sets, comments only where a rule reads the thread), the plan
 *   executeSweep       renders each ticket's change and hands it to the bulk executor, under
 *                      the profile's lock and the run's journal
 *   resumeSweep        finishes an interrupted run from its journal
 *
 * The planning itself is pure (core/sweep-plan.ts); exactly-once, batching, rate budget and the
 * journal are the reusable bulk machinery (services/bulk/).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelpDesk } from '../api/helpdesk.js';
import type { Group, Organization, Ticket, TicketMetric, TicketUpdate, User } from '../core/model.js';
import { ConfigError, NotFoundError, PermissionError } from '../core/errors.js';
import { recentlyChanged } from './recent.js';
import {
  renderTemplate,
  sampleRenderContext,
  templateVariables,
  TemplateRenderError,
  type ReplyTemplate,
} from '../core/templates.js';
import { formatRuleProblem, mergeRuleFiles, parseRuleFile, type RuleProblem, type RuleSet, type SweepStep } from '../core/sweep-rules.js';
import {
  SweepClock,
  candidateQuery,
  checkBasics,
  evaluateStep,
  groupIdLookup,
  planSweep,
  stepNeeds,
  summarizeThread,
  type PlannedAction,
  type TicketFacts,
  type Verdict,
} from '../core/sweep-plan.js';
import { findTemplate, loadLibrary, renderForTicket, replyTicketFrom, replyUpdate, shippedTemplatesDir, type TemplateLibrary } from './replies.js';
import { resolveAgent, slimTicket, type TicketView } from './tickets.js';
import {
  FINAL,
  Journal,
  checkPlanRecorded,
  endRun,
  runBulk,
  runStopped,
  startRun,
  type BulkItem,
  type BulkOutcome,
  type BulkProgress,
  type PlanTuple,
  type PreparedChange,
  type Recheck,
  type RunScope,
  type RunState,
} from './bulk/index.js';

export const SWEEP_KIND = 'sweep';

// ---------------------------------------------------------------------------------------------
// Rules

export function shippedSweepsDir(): string {
  return join(shippedTemplatesDir(), 'sweeps');
}

export function userSweepsDir(home: string): string {
  return join(home, 'sweeps');
}

export interface LoadedRules {
  rules: RuleSet;
  /** The template library plus one template per inline reply/note of the rules. */
  library: TemplateLibrary;
  /** Step id -> the template it renders (library or inline), when it has a comment. */
  templates: Map<string, ReplyTemplate>;
}

export interface LoadRulesOptions {
  home: string;
  /** Only this file (--rules). */
  rulesFile?: string;
  /** Default: templates/sweeps next to the shipped templates. */
  shippedDir?: string;
  library?: TemplateLibrary;
}

async function ruleFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Reads and checks the rules: YAML shape, templates that exist and render with sample data,
 * inline bodies that compile. The first problem is thrown as a one-line ConfigError
 * `file:line: message`.
 */
export async function loadSweepRules(options: LoadRulesOptions): Promise<LoadedRules> {
  let paths: string[];
  if (options.rulesFile !== undefined) {
    paths = [options.rulesFile];
  } else {
    paths = [...(await ruleFiles(options.shippedDir ?? shippedSweepsDir())), ...(await ruleFiles(userSweepsDir(options.home)))];
  }
  const parsed = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such rules file: ${path}`);
      throw err;
    }
    parsed.push(parseRuleFile(text, path));
  }
  const { rules, problems } = mergeRuleFiles(parsed);
  const library = options.library ?? (await loadLibrary({ home: options.home }));
  const templates = new Map<string, ReplyTemplate>();
  const inline: ReplyTemplate[] = [];
  for (const step of problems.length ? [] : rules.steps) {
    const a = step.action;
    const problem = (message: string) => problems.push({ file: step.file, line: step.line, message });
    let template: ReplyTemplate | undefined;
    if (a.template) {
      try {
        template = findTemplate(library, a.template, a.locale);
      } catch (err) {
        problem(`${step.id}: ${(err as Error).message}`);
        continue;
      }
    } else if (a.inline) {
      template = inlineTemplate(step, a.inline);
      inline.push(template);
    }
    if (!template) continue;
    try {
      renderTemplate(template, sampleRenderContext(), a.vars);
    } catch (err) {
      const msg = err instanceof TemplateRenderError ? err.message : `Liquid: ${(err as Error).message}`;
      problems.push({ file: step.file, line: a.inline ? a.inline.line : step.line, message: `${step.id}: ${msg}` });
      continue;
    }
    templates.set(step.id, template);
  }
  if (rules.steps.length === 0 && problems.length === 0) {
    problems.push({ file: paths[0] ?? shippedSweepsDir(), line: 1, message: 'no rules in effect' });
  }
  throwProblems(problems);
  return { rules, library: { ...library, templates: [...library.templates, ...inline] }, templates };
}

/** A rule's inline `reply:`/`note:` as a template, so it renders like any other (file:line kept). */
function inlineTemplate(step: SweepStep, inline: NonNullable<SweepStep['action']['inline']>): ReplyTemplate {
  return {
    name: `sweep-${step.id.replace(/[^a-z0-9]+/g, '-')}`.slice(0, 64),
    category: 'follow-up',
    description: step.description || step.id,
    public: inline.public,
    locale: 'en',
    set: {},
    vars: Object.fromEntries(Object.keys(step.action.vars).map((k) => [k, ''])),
    body: inline.body,
    bodyLine: inline.line,
    path: step.file,
    source: 'user',
  };
}

function throwProblems(problems: RuleProblem[]): void {
  if (problems.length === 0) return;
  const more = problems.length - 1;
  throw new ConfigError(formatRuleProblem(problems[0]!), {
    hint: more > 0 ? `${more} more problem${more === 1 ? '' : 's'}, e.g. ${formatRuleProblem(problems[1]!)}` : 'fix the rules file and run again',
  });
}

// ---------------------------------------------------------------------------------------------
// Keeping only what rules and templates read: a sweep holds thousands of tickets at once

const NO_MINUTES = { calendar: null, business: null };

/** The metric fields the clocks read. */
export function slimMetric(m: TicketMetric): TicketMetric {
  return {
    id: m.id,
    ticket_id: m.ticket_id,
    created_at: m.created_at,
    updated_at: m.updated_at,
    group_stations: m.group_stations,
    assignee_stations: m.assignee_stations,
    reopens: m.reopens,
    replies: m.replies,
    assignee_updated_at: m.assignee_updated_at,
    requester_updated_at: m.requester_updated_at,
    status_updated_at: m.status_updated_at,
    initially_assigned_at: m.initially_assigned_at,
    assigned_at: m.assigned_at,
    solved_at: m.solved_at,
    latest_comment_added_at: m.latest_comment_added_at,
    reply_time_in_minutes: NO_MINUTES,
    first_resolution_time_in_minutes: NO_MINUTES,
    full_resolution_time_in_minutes: NO_MINUTES,
    agent_wait_time_in_minutes: NO_MINUTES,
    requester_wait_time_in_minutes: NO_MINUTES,
    on_hold_time_in_minutes: NO_MINUTES,
  };
}

function slimUser(u: User): User {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    organization_id: u.organization_id,
    default_group_id: u.default_group_id,
    ...(u.signature ? { signature: u.signature } : {}),
  };
}

/** Whether any template of the rules reads the ticket's description (else it is not kept). */
function usesDescription(loaded: LoadedRules): boolean {
  return [...loaded.templates.values()].some((t) => templateVariables(t).includes('ticket.description'));
}

// ---------------------------------------------------------------------------------------------
// Planning

export interface PlanRow {
  /** Step id: "pending_reminder/1", or the rule name. */
  rule: string;
  name: string;
  step: number | null;
  description: string;
  marker: string;
  template: string | null;
  public: boolean | null;
  planned: number;
  ticket_ids: number[];
}

export interface SweepPlanView {
  now: Date;
  steps: SweepStep[];
  actions: PlannedAction[];
  facts: Map<number, TicketFacts>;
  groups: Group[];
  rows: PlanRow[];
  /** Tickets read from the searches. */
  candidates: number;
  queries: string[];
}

export interface PlanOptions {
  now: Date;
  /** A line about each phase, for a live display. */
  onPhase?: (message: string) => void;
}

/** Pages of the search export (1,000 tickets each: the most Zendesk gives). */
const EXPORT_PAGE = 1_000;
/** Incremental export pages spent looking for metric sets before show_many takes over (Zendesk allows 10 a minute). */
const MAX_INCREMENTAL_PAGES = 10;

/** What would happen now: the candidates, the facts the rules need, and each step's tickets. */
export async function planSweepRun(desk: HelpDesk, loaded: LoadedRules, options: PlanOptions): Promise<SweepPlanView> {
  const { rules } = loaded;
  const groups = await desk.listGroups();
  checkGroups(rules.steps, groups);
  const ctx = { now: options.now, calendar: rules.calendar, groups };
  const facts = new Map<number, TicketFacts>();
  const byRule = new Map<string, SweepStep[]>();
  for (const s of rules.steps) byRule.set(s.rule, [...(byRule.get(s.rule) ?? []), s]);
  const queries = [...new Set([...byRule.values()].map((steps) => candidateQuery(steps, ctx)))];
  const keepDescription = usesDescription(loaded);
  for (const q of queries) {
    options.onPhase?.(`searching: ${q}`);
    for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) {
      if (!facts.has(t.id)) facts.set(t.id, { ticket: slimTicket(t, keepDescription) });
    }
  }
  // Search trails the desk: tickets changed in the last minutes (a marker a run just left)
  // are taken as they are now.
  for (const [id, t] of await recentlyChanged(desk, options.now)) {
    if (facts.has(id)) facts.set(id, { ticket: slimTicket(t, keepDescription) });
  }
  let plan = planSweep(rules.steps, facts.values(), ctx);
  for (let i = 0; i < 3 && (plan.needs.metrics.length > 0 || plan.needs.thread.length > 0); i++) {
    if (plan.needs.metrics.length > 0) {
      options.onPhase?.(`reading metrics of ${plan.needs.metrics.length} tickets`);
      await fetchMetrics(desk, facts, plan.needs.metrics, keepDescription, options.onPhase);
    } else {
      options.onPhase?.(`reading the comments of ${plan.needs.thread.length} tickets`);
      await fetchThreads(desk, facts, plan.needs.thread);
    }
    plan = planSweep(rules.steps, facts.values(), ctx);
  }
  const rows: PlanRow[] = rules.steps.map((s) => {
    const t = loaded.templates.get(s.id);
    const ids = plan.byStep.get(s.id) ?? [];
    return {
      rule: s.id,
      name: s.rule,
      step: s.step,
      description: s.description,
      marker: s.marker,
      template: templateLabel(s),
      public: t ? (s.action.public ?? t.public) : null,
      planned: ids.length,
      ticket_ids: ids,
    };
  });
  return { now: options.now, steps: rules.steps, actions: plan.actions, facts, groups, rows, candidates: facts.size, queries };
}

/** The template a step sends, or "inline reply" / "inline note", or null for a change without a comment. */
export function templateLabel(s: SweepStep): string | null {
  return s.action.template ?? (s.action.inline ? (s.action.inline.public ? 'inline reply' : 'inline note') : null);
}

function checkGroups(steps: SweepStep[], groups: Group[]): void {
  const known = groupIdLookup(groups);
  for (const s of steps) {
    for (const g of s.conditions.groups ?? []) {
      if (typeof g === 'string' && !known.has(g)) {
        throw new ConfigError(`${s.file}:${s.line}: ${s.id}: no group named "${g}" on the desk`, {
          hint: `groups: ${groups.map((x) => x.name).join(', ')}`,
        });
      }
    }
  }
}

/**
 * Metric sets for `ids`: from the incremental export (1,000 tickets a page, metric sets
 * sideloaded) while that is the cheaper way, then show_many (100 a request) for the rest.
 * The incremental export is for admins: for an agent (403) show_many reads them all.
 */
export async function fetchMetrics(
  desk: HelpDesk,
  facts: Map<number, TicketFacts>,
  ids: number[],
  keepDescription = true,
  onNotice?: (message: string) => void,
): Promise<void> {
  const wanted = new Set(ids);
  const viaShowMany = Math.ceil(wanted.size / 100);
  if (viaShowMany > 2) {
    let start = Infinity;
    for (const id of wanted) start = Math.min(start, Date.parse(facts.get(id)!.ticket.updated_at));
    const budget = Math.min(MAX_INCREMENTAL_PAGES, Math.floor(viaShowMany / 2));
    let pages = 0;
    if (Number.isFinite(start) && budget > 0) {
      try {
        for await (const page of desk.incrementalTickets({ startTime: Math.floor(start / 1000) - 1 }, { pageSize: 1000 })) {
          pages++;
          const metrics = new Map<number, TicketMetric>(page.metric_sets.map((m) => [m.ticket_id, m]));
          for (const t of page.tickets) {
            if (!wanted.has(t.id)) continue;
            const f = facts.get(t.id)!;
            const m = metrics.get(t.id);
            f.ticket = slimTicket(t, keepDescription);
            f.metric = m ? slimMetric(m) : null;
            wanted.delete(t.id);
          }
          if (wanted.size === 0 || pages >= budget || page.end_of_stream) break;
        }
      } catch (err) {
        if (!(err instanceof PermissionError)) throw err;
        onNotice?.(`the incremental export needs an admin: reading the metrics of ${wanted.size} tickets with show_many, 100 a request`);
      }
    }
  }
  if (wanted.size === 0) return;
  const fresh = await desk.getTickets([...wanted], { include: ['metric_sets'] });
  for (const t of fresh) {
    const f = facts.get(t.id);
    if (!f) continue;
    f.ticket = slimTicket(t, keepDescription);
    f.metric = t.metric_set ? slimMetric(t.metric_set) : null;
    wanted.delete(t.id);
  }
  for (const id of wanted) facts.delete(id); // gone from the desk
}

/** Comments, and their authors' roles and groups, for the tickets whose rules read the thread. */
export async function fetchThreads(desk: HelpDesk, facts: Map<number, TicketFacts>, ids: number[], people: Map<number, User> = new Map()): Promise<void> {
  const threads = new Map<number, Awaited<ReturnType<typeof collectComments>>>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      threads.set(id, await collectComments(desk, id));
    }
  };
  await Promise.all(Array.from({ length: Math.min(3, ids.length) }, worker));
  const authors = new Set<number>();
  for (const comments of threads.values()) for (const c of comments) if (!people.has(c.author_id)) authors.add(c.author_id);
  if (authors.size > 0) for (const u of await desk.getUsers([...authors])) people.set(u.id, slimUser(u));
  for (const [id, comments] of threads) {
    const f = facts.get(id);
    if (f) f.thread = summarizeThread(f.ticket, comments, people);
  }
}

async function collectComments(desk: HelpDesk, id: number) {
  const out = [];
  for await (const c of desk.listComments(id)) out.push(c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering each ticket's change

/** What rendering needs beyond the ticket: the people, groups, organizations and the sender. */
class RenderKit {
  readonly users = new Map<number, User>();
  readonly orgs = new Map<number, Organization>();
  readonly groups: Map<number, Group>;
  private assignees = new Map<string, number | null>();
  /** Per step: the records its template reads (only those are fetched). */
  private readonly reads = new Map<string, { requester: boolean; assignee: boolean; organization: boolean }>();

  constructor(
    private readonly desk: HelpDesk,
    private readonly loaded: LoadedRules,
    readonly me: User,
    groups: Group[],
  ) {
    this.groups = new Map(groups.map((g) => [g.id, g]));
    for (const [id, t] of loaded.templates) {
      const vars = templateVariables(t);
      const reads = (prefix: string) => vars.some((v) => v === prefix || v.startsWith(`${prefix}.`));
      this.reads.set(id, { requester: reads('ticket.requester'), assignee: reads('ticket.assignee'), organization: reads('ticket.organization') });
    }
  }

  /** Fetches the people (and organizations) these steps' templates read and that are not known yet, 100 a request. */
  async prefetch(pairs: Array<{ stepId: string; ticket: Ticket }>): Promise<void> {
    const userIds = new Set<number>();
    const orgIds = new Set<number>();
    for (const { stepId, ticket: t } of pairs) {
      const r = this.reads.get(stepId);
      if (!r) continue;
      if (r.requester && !this.users.has(t.requester_id)) userIds.add(t.requester_id);
      if (r.assignee && t.assignee_id !== null && !this.users.has(t.assignee_id)) userIds.add(t.assignee_id);
      if (r.organization && t.organization_id !== null && !this.orgs.has(t.organization_id)) orgIds.add(t.organization_id);
    }
    // The desk asks for 100 ids a request.
    if (userIds.size > 0) for (const u of await this.desk.getUsers([...userIds])) this.users.set(u.id, slimUser(u));
    if (orgIds.size > 0) for (const o of await this.desk.getOrganizations([...orgIds])) this.orgs.set(o.id, o);
    for (const step of this.loaded.rules.steps) {
      const who = step.action.assignee;
      if (who !== undefined && !this.assignees.has(who)) this.assignees.set(who, await resolveAgent(this.desk, who));
    }
  }

  /** The update for one step on one ticket (comment + marker + fields), or why it cannot be made. */
  change(step: SweepStep, ticket: Ticket, metric: TicketMetric | null | undefined): PreparedChange | { error: string } {
    const a = step.action;
    const template = this.loaded.templates.get(step.id);
    let update: TicketUpdate = {};
    if (template) {
      const view: TicketView = {
        ticket,
        comments: [],
        users: [],
        groups: [],
        organizations: [],
        metrics: metric ?? null,
        requester: this.users.get(ticket.requester_id),
        assignee: ticket.assignee_id !== null ? this.users.get(ticket.assignee_id) : undefined,
        group: ticket.group_id !== null ? this.groups.get(ticket.group_id) : undefined,
        organization: ticket.organization_id !== null ? this.orgs.get(ticket.organization_id) : undefined,
      };
      try {
        const rendered = renderForTicket(this.loaded.library, replyTicketFrom(view, this.me), {
          template: template.name,
          vars: a.vars,
          locale: a.locale ?? template.locale,
        });
        update = replyUpdate(rendered, { note: (a.public ?? rendered.public) === false });
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
    }
    if (a.status) update.status = a.status;
    if (a.priority) update.priority = a.priority;
    if (a.assignee !== undefined) update.assignee_id = this.assignees.get(a.assignee) ?? null;
    update.additional_tags = [...new Set([...(update.additional_tags ?? []), ...a.tags, step.marker])];
    if (a.removeTags.length > 0) update.remove_tags = a.removeTags.filter((t) => t !== step.marker);
    return { update, stamp: ticket.updated_at };
  }
}

// ---------------------------------------------------------------------------------------------
// Running

export interface SweepRowResult {
  rule: string;
  template: string | null;
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
}

export interface SweepRunResult {
  run_id: string;
  status: 'completed' | 'partial' | 'interrupted';
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Planned but left for a later run by --limit. */
  deferred: number;
  /** Found already applied on the desk when checked (after an ambiguous failure, or on resume). */
  verified: number;
  rules: SweepRowResult[];
  failures: Array<{ ticket_id: number; rule: string; reason: string }>;
  skips: Array<{ ticket_id: number; rule: string; reason: string }>;
  batches: number;
}

export interface ExecuteOptions {
  scope: RunScope;
  now: Date;
  /** At most this many actions this run. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
  /** Recorded in the journal (rules files, flags). */
  meta?: Record<string, unknown>;
  /** Bulk executor knobs (tests). */
  bulk?: { batchSize?: number; maxSends?: number; concurrency?: number };
  /** Told the run id as soon as the journal exists. */
  onStart?: (runId: string) => void;
}

/**
 * Runs a plan: renders every change, journals the plan, sends the batches, ends the run.
 * Call with the profile's sweep lock held (lockRuns).
 */
export async function executeSweep(desk: HelpDesk, loaded: LoadedRules, plan: SweepPlanView, options: ExecuteOptions): Promise<SweepRunResult> {
  const limit = options.limit ?? Infinity;
  const actions = plan.actions.slice(0, limit);
  const deferred = plan.actions.length - actions.length;
  const stepsById = new Map(plan.steps.map((s) => [s.id, s]));
  const me = await desk.me();
  const kit = new RenderKit(desk, loaded, me, plan.groups);
  // Changes are rendered batch by batch, just before they are sent (hooks.prepare).
  const items: BulkItem[] = actions.map((a) => ({ key: a.key, ticketId: a.ticketId, marker: a.marker, group: a.stepId, wave: a.wave, lazy: true }));
  // Only the facts of the tickets acted on are kept for the run.
  const facts = new Map<number, TicketFacts>();
  for (const a of actions) facts.set(a.ticketId, plan.facts.get(a.ticketId)!);

  const journal = startRun(options.scope, {
    ...options.meta,
    now: options.now.toISOString(),
    calendar: loaded.rules.calendar,
    steps: loaded.rules.steps,
    templates: Object.fromEntries([...loaded.templates].map(([id, t]) => [id, t.name])),
  });
  options.onStart?.(journal.runId);
  const tuples: PlanTuple[] = [
    // the body hashes go in each batch's intent, when the bodies are rendered
    ...items.map((i): PlanTuple => [i.key, i.ticketId, i.marker, i.group, '']),
  ];
  journal.appendPlan(tuples);
  return runAndEnd(desk, loaded, journal, items, [], {
    ...options,
    kit,
    plannedFacts: facts,
    touched: new Set(),
    failedMarkers: new Map(),
    deferred,
    stepsById,
  });
}

interface RunContext extends ExecuteOptions {
  kit: RenderKit;
  /** The facts the plan was made on (lazy items are rendered from them). */
  plannedFacts?: Map<number, TicketFacts>;
  /** Tickets that got a change from this run already (their later items are checked lightly). */
  touched: Set<number>;
  /**
   * Per ticket, the markers of its items that failed in this process: a later item that is due
   * only once they are on the ticket fails with them (and is retried with them) instead of
   * being skipped as no longer due.
   */
  failedMarkers: Map<number, Set<string>>;
  deferred: number;
  stepsById: Map<string, SweepStep>;
}

async function runAndEnd(
  desk: HelpDesk,
  loaded: LoadedRules,
  journal: Journal,
  items: BulkItem[],
  earlier: BulkOutcome[],
  rc: RunContext,
): Promise<SweepRunResult> {
  const recheck = makeRecheck(desk, loaded, rc);
  const prior = { total: earlier.length, sent: 0, skipped: 0, failed: 0 };
  for (const o of earlier) prior[o.status]++;
  let result;
  try {
    result = await runBulk(
      desk,
      journal,
      items,
      {
        recheck,
        prepare: rc.plannedFacts ? makePrepare(rc, rc.plannedFacts, items) : undefined,
        readInclude: loaded.rules.steps.some((s) => stepNeeds(s).metrics) ? ['metric_sets'] : undefined,
        onProgress: rc.onProgress ? (p) => rc.onProgress!({ ...p, total: p.total + prior.total, sent: p.sent + prior.sent, skipped: p.skipped + prior.skipped, failed: p.failed + prior.failed }) : undefined,
        onOutcome: (o) => {
          if (o.status === 'sent') rc.touched.add(o.ticketId);
          const marker = rc.stepsById.get(o.group)?.marker;
          if (o.status === 'failed' && marker) rc.failedMarkers.set(o.ticketId, new Set([...(rc.failedMarkers.get(o.ticketId) ?? []), marker]));
        },
      },
      { signal: rc.signal, ...rc.bulk },
    );
  } catch (err) {
    throw runStopped(journal, err, `\`deskops sweep resume ${journal.runId}\``);
  }
  const outcomes = [...earlier, ...result.outcomes];
  const sent = outcomes.filter((o) => o.status === 'sent').length;
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const planned = items.length + earlier.length;
  const status = result.interrupted ? 'interrupted' : failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned, sent, skipped, failed });

  const rows = new Map<string, SweepRowResult>();
  for (const s of loaded.rules.steps) rows.set(s.id, { rule: s.id, template: templateLabel(s), planned: 0, sent: 0, skipped: 0, failed: 0 });
  for (const i of [...items.map((x) => x.group), ...earlier.map((o) => o.group)]) {
    const r = rows.get(i) ?? { rule: i, template: null, planned: 0, sent: 0, skipped: 0, failed: 0 };
    r.planned++;
    rows.set(i, r);
  }
  for (const o of outcomes) rows.get(o.group)![o.status]++;
  return {
    run_id: journal.runId,
    status,
    planned,
    sent,
    skipped,
    failed,
    deferred: rc.deferred,
    verified: outcomes.filter((o) => o.verified).length,
    rules: [...rows.values()],
    failures: outcomes.filter((o) => o.status === 'failed').map((o) => ({ ticket_id: o.ticketId, rule: o.group, reason: o.reason ?? 'failed' })),
    skips: outcomes.filter((o) => o.status === 'skipped').map((o) => ({ ticket_id: o.ticketId, rule: o.group, reason: o.reason ?? 'skipped' })),
    batches: result.batches,
  };
}

/**
 * Renders lazy items from the plan's facts. The people their templates read are fetched ahead,
 * for the items about to go out, in full requests of 100 ids rather than a few per batch.
 */
function makePrepare(rc: RunContext, facts: Map<number, TicketFacts>, order: BulkItem[]) {
  const position = new Map(order.map((item, i) => [item.key, i]));
  let fetchedUpTo = 0;
  // One look-ahead at a time: two batches being prepared at once share it.
  let ahead: Promise<void> = Promise.resolve();
  return async (items: BulkItem[]): Promise<Map<string, Recheck>> => {
    const last = Math.max(...items.map((i) => position.get(i.key) ?? -1));
    const mine = ahead.then(async () => {
      if (last < fetchedUpTo) return;
      const pairs: Array<{ stepId: string; ticket: Ticket }> = [];
      const ids = new Set<number>();
      let i = fetchedUpTo;
      for (; i < order.length && (i <= last || ids.size < PEOPLE_AHEAD); i++) {
        const t = facts.get(order[i]!.ticketId)!.ticket;
        pairs.push({ stepId: order[i]!.group, ticket: t });
        ids.add(t.requester_id);
      }
      fetchedUpTo = i;
      await rc.kit.prefetch(pairs);
    });
    ahead = mine.catch(() => undefined);
    await mine;
    await rc.kit.prefetch(items.map((i) => ({ stepId: i.group, ticket: facts.get(i.ticketId)!.ticket })));
    const out = new Map<string, Recheck>();
    for (const item of items) {
      const f = facts.get(item.ticketId)!;
      const change = rc.kit.change(rc.stepsById.get(item.group)!, f.ticket, f.metric);
      out.set(item.key, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
    }
    return out;
  };
}

/** How many tickets' people are fetched ahead of the batches (full show_many requests). */
const PEOPLE_AHEAD = 300;

/**
 * Decides again for items the executor read fresh: the step's conditions on the ticket as it
 * is now (a customer who answered meanwhile gets no reminder), then the change re-rendered.
 * A ticket's later item in a run in which its earlier item was sent is checked on its fields
 * only (status, markers, tags): its ages and thread moved because of that very run.
 */
function makeRecheck(desk: HelpDesk, loaded: LoadedRules, rc: RunContext) {
  const people = new Map<number, User>();
  return async (pairs: Array<{ item: BulkItem; ticket: Ticket }>): Promise<Map<string, Recheck>> => {
    const clock = new SweepClock(rc.now, loaded.rules.calendar);
    const groupIds = groupIdLookup([...rc.kit.groups.values()]);
    const facts = new Map<number, TicketFacts>();
    for (const { ticket } of pairs) facts.set(ticket.id, { ticket, metric: ticket.metric_set ?? null });
    const judge = (step: SweepStep, item: BulkItem, ticket: Ticket): Verdict => {
      if (item.wave > 0 && rc.touched.has(ticket.id)) return checkBasics(step, ticket, groupIds) ?? { kind: 'match' };
      return evaluateStep(step, { ...facts.get(ticket.id)!, ticket }, clock, groupIds);
    };
    const decide = () =>
      pairs.map(({ item, ticket }): { item: BulkItem; verdict: Verdict | { kind: 'blocked'; reason: string } } => {
        const step = rc.stepsById.get(item.group);
        if (!step) return { item, verdict: { kind: 'no' as const, reason: `rule ${item.group} is no longer defined` } };
        const verdict = judge(step, item, ticket);
        // Not due only because an earlier item of this ticket failed (its marker is what this
        // step waits for): a failure too, so that a resume sends both, in order.
        const failed = rc.failedMarkers.get(ticket.id);
        if (verdict.kind === 'no' && item.wave > 0 && failed && judge(step, item, { ...ticket, tags: [...(ticket.tags ?? []), ...failed] }).kind !== 'no') {
          return { item, verdict: { kind: 'blocked', reason: `not sent: it follows ${[...failed].join(', ')} on this ticket, which failed (${verdict.reason})` } };
        }
        return { item, verdict };
      });
    let verdicts = decide();
    const needThread = verdicts.filter((v) => v.verdict.kind === 'need').map((v) => v.item.ticketId);
    if (needThread.length > 0) {
      await fetchThreads(desk, facts, [...new Set(needThread)], people);
      verdicts = decide();
    }
    await rc.kit.prefetch(verdicts.filter((v) => v.verdict.kind === 'match').map((v) => ({ stepId: v.item.group, ticket: facts.get(v.item.ticketId)!.ticket })));
    const out = new Map<string, Recheck>();
    for (const { item, verdict } of verdicts) {
      const f = facts.get(item.ticketId)!;
      if (verdict.kind === 'no') out.set(item.key, { kind: 'skip', reason: `no longer due: ${verdict.reason}` });
      else if (verdict.kind === 'blocked') out.set(item.key, { kind: 'fail', reason: verdict.reason });
      else if (verdict.kind === 'need') out.set(item.key, { kind: 'fail', reason: `could not read the ${verdict.what} the rule needs` });
      else {
        const change = rc.kit.change(rc.stepsById.get(item.group)!, f.ticket, f.metric);
        out.set(item.key, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
      }
    }
    return out;
  };
}

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

export type { SweepStep, RuleSet };
