/**
 * Planning a sweep: candidates from the replica (synced first) or the uncapped search export,
 * the facts the rules need (metric sets, comments only where a rule reads the thread), and
 * the plan (core/sweep-plan.ts).
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Comment, Group, Ticket, TicketAudit, TicketMetric, User } from '../../core/model.js';
import { peopleComments } from '../../core/own-messages.js';
import { ConfigError, PermissionError } from '../../core/errors.js';
import { mapLimit } from '../map-limit.js';
import { recentlyChanged } from '../recent.js';
import type { SweepStep } from '../../core/sweep-rules.js';
import { candidateFilter, candidateTest, filterLocally, filterQuery, groupIdLookup, planSweep, summarizeThread, type CandidateFilter, type ContactRules, type PlannedAction, type TicketFacts, type WaitingAction } from '../../core/sweep-plan.js';
import { DEFAULT_CONTACT_WINDOW_HOURS } from '../../core/contact-policy.js';
import { recentContacts } from '../contact.js';
import { slimTicket } from '../tickets.js';
import type { TicketSource } from '../ticket-source.js';
import type { LoadedRules } from './rules.js';
import { slimMetric, slimUser, usesDescription } from './slim.js';

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
  /** Steps that fire but wait for the contact window, with why. */
  waiting: WaitingAction[];
  /** Tickets read from the searches (or selected from the replica). */
  candidates: number;
  /** The candidate searches, one per rule with its own (the replica evaluates them locally). */
  queries: string[];
}

export interface PlanOptions {
  now: Date;
  /** The contact window in hours (contact.window_hours; 0: off). Default 24. */
  contactWindowHours?: number;
  /** A line about each phase, for a live display. */
  onPhase?: (message: string) => void;
  /**
   * The tickets held locally (the profile's replica): synced once, then the candidates are
   * selected from it as the searches would select them, and the contact window is read from
   * it. Without it (Request Tracker), the searches.
   */
  source?: TicketSource;
  /** What a --verbose run should hear: a rule whose candidates are searched all the same, and why. */
  onNotice?: (message: string) => void;
}

/** Tickets whose threads (audits) are read at once. */
const THREAD_CONCURRENCY = 3;

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
  const filters = new Map<string, CandidateFilter>();
  for (const steps of byRule.values()) {
    const f = candidateFilter(steps, ctx);
    filters.set(filterQuery(f), f);
  }
  const queries = [...filters.keys()];
  const keepDescription = usesDescription(loaded);
  const { source } = options;
  if (source) {
    options.onPhase?.('bringing the ticket replica up to date');
    await source.sync();
  }
  // With a replica, each rule's search is evaluated over it; one it cannot answer exactly is searched.
  const local: Array<(t: Ticket) => boolean> = [];
  const localStatuses = new Set<string>();
  let anyStatus = false;
  for (const [q, f] of filters) {
    const can = source ? filterLocally(f) : undefined;
    if (can?.ok) {
      local.push(candidateTest(f));
      for (const st of f.statuses) localStatuses.add(st);
      if (f.statuses.length === 0) anyStatus = true;
      continue;
    }
    if (can && !can.ok) options.onNotice?.(`sweep candidates searched on the desk (${q}): ${can.why}`);
    options.onPhase?.(`searching: ${q}`);
    for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) {
      if (!facts.has(t.id)) facts.set(t.id, { ticket: slimTicket(t, keepDescription) });
    }
  }
  if (source) {
    // One pass over the replica: the candidates of the rules evaluated locally, and the
    // tickets search found as the replica has them (synced now: search trails the desk).
    if (local.length > 0) options.onPhase?.(`selecting the candidates of ${local.length} rule${local.length === 1 ? '' : 's'} from the replica`);
    const searched = facts.size > 0;
    // only the statuses the rules read (closed tickets, the most, never are), unless search found some
    for (const t of source.tickets(searched || anyStatus ? {} : { statuses: [...localStatuses] })) {
      if (local.some((test) => test(t)) || (searched && facts.has(t.id))) facts.set(t.id, { ticket: slimTicket(t, keepDescription) });
    }
  } else {
    // Search trails the desk: tickets changed in the last minutes (a marker a run just left)
    // are taken as they are now.
    for (const [id, t] of await recentlyChanged(desk, options.now)) {
      if (facts.has(id)) facts.set(id, { ticket: slimTicket(t, keepDescription) });
    }
  }
  const hours = options.contactWindowHours ?? DEFAULT_CONTACT_WINDOW_HOURS;
  const earlier = await recentContacts(desk, options.now, hours, options.onPhase, source);
  const contacts: ContactRules = { window: { hours, earlier, now: options.now }, isPublic: (s) => isPublicStep(loaded, s) };
  let plan = planSweep(rules.steps, facts.values(), ctx, contacts);
  for (let i = 0; i < 3 && (plan.needs.metrics.length > 0 || plan.needs.thread.length > 0); i++) {
    if (plan.needs.metrics.length > 0) {
      options.onPhase?.(`reading metrics of ${plan.needs.metrics.length} tickets`);
      await fetchMetrics(desk, facts, plan.needs.metrics, keepDescription, options.onPhase);
    } else {
      options.onPhase?.(`reading the comments of ${plan.needs.thread.length} tickets`);
      await fetchThreads(desk, facts, plan.needs.thread);
    }
    plan = planSweep(rules.steps, facts.values(), ctx, contacts);
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
  return { now: options.now, steps: rules.steps, actions: plan.actions, waiting: plan.waiting, facts, groups, rows, candidates: facts.size, queries };
}

/** Whether a step writes to the customer (a public reply): what the contact policy limits. */
function isPublicStep(loaded: LoadedRules, s: SweepStep): boolean {
  const t = loaded.templates.get(s.id);
  if (t) return s.action.public ?? t.public;
  return s.action.inline?.public ?? false;
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

/**
 * The comments people wrote, and their authors' roles and groups, for the tickets whose rules
 * read the thread. Read from the tickets' audits so that deskops' own messages (a reminder, a
 * follow-up sent by an earlier or interrupted run: an update that added a marker tag) are left
 * out: they are not the new group's answer, nor a hand-off (core/own-messages.ts).
 */
export async function fetchThreads(desk: HelpDesk, facts: Map<number, TicketFacts>, ids: number[], people: Map<number, User> = new Map()): Promise<void> {
  const threads = new Map<number, Comment[]>();
  await mapLimit(ids, THREAD_CONCURRENCY, async (id) => threads.set(id, await collectComments(desk, id)));
  const authors = new Set<number>();
  for (const comments of threads.values()) for (const c of comments) if (!people.has(c.author_id)) authors.add(c.author_id);
  if (authors.size > 0) for (const u of await desk.getUsers([...authors])) people.set(u.id, slimUser(u));
  for (const [id, comments] of threads) {
    const f = facts.get(id);
    if (f) f.thread = summarizeThread(f.ticket, comments, people);
  }
}

async function collectComments(desk: HelpDesk, id: number): Promise<Comment[]> {
  const audits: TicketAudit[] = [];
  for await (const a of desk.listAudits(id)) audits.push(a);
  return peopleComments(audits);
}
