/**
 * Follow-up sweep planning. Pure: rules, tickets and the facts read about them, and the clock
 * in; for each ticket the steps that fire, or what is still missing to decide, out.
 *
 * Facts come in three levels, each fetched only for tickets that pass every cheaper check:
 *   ticket   status, tags, group, priority, channel, updated_at, created_at (the search export)
 *   metrics  status_updated_at, solved_at, requester/assignee_updated_at, group_stations,
 *            assigned_at (the metric set)
 *   thread   last public reply by an agent and who wrote it, the hand-off note (the comments)
 *
 * A step fires at most once per ticket: its marker tag is excluded by its own conditions, and
 * the marker goes on the ticket in the same update as the comment.
 */
import type { Comment, Group, Ticket, TicketMetric, User } from './model.js';
import { cutoffFor, type BusinessCalendar, type Duration } from './business-hours.js';
import { ContactLedger, type ContactWindow } from './contact-policy.js';
import { SINCE_SOURCE, type AgeCondition, type SinceRef, type SweepStep } from './sweep-rules.js';

export interface ThreadFacts {
  /** The latest public comment by an agent (not the ticket's description). */
  lastPublicReplyAt: string | null;
  /** The default group of the agent who wrote it. */
  lastPublicReplyGroupId: number | null;
  /** The first internal note after that reply by an agent outside the ticket's current group. */
  handoffAt: string | null;
}

export interface TicketFacts {
  ticket: Ticket;
  /** undefined: not fetched yet; null: the desk has none. */
  metric?: TicketMetric | null;
  thread?: ThreadFacts;
}

export type FactLevel = 'metrics' | 'thread';

export type Verdict =
  | { kind: 'match' }
  | { kind: 'no'; reason: string }
  | { kind: 'need'; what: FactLevel };

export interface PlanContext {
  now: Date;
  calendar: BusinessCalendar;
  /** The desk's groups, to match `group:` conditions given by name. */
  groups: Group[];
}

/** Cutoff instants, computed once per duration per plan. */
export class SweepClock {
  private readonly cache = new Map<string, number>();
  readonly nowMs: number;
  constructor(
    readonly now: Date,
    readonly calendar: BusinessCalendar,
  ) {
    this.nowMs = now.getTime();
  }

  /** A clock started at or before this instant has run at least `d`. */
  cutoff(d: Duration): number {
    const key = `${d.amount}${d.unit}`;
    let c = this.cache.get(key);
    if (c === undefined) {
      c = cutoffFor(this.nowMs, d, this.calendar);
      this.cache.set(key, c);
    }
    return c;
  }
}

/** What facts a step can need at most. */
export function stepNeeds(step: SweepStep): { metrics: boolean; thread: boolean } {
  const sources = step.conditions.ages.map((a) => SINCE_SOURCE[a.since]);
  const thread = sources.includes('thread') || step.conditions.groupChangedSincePublicReply !== undefined;
  return { metrics: thread || sources.includes('metrics'), thread };
}

/**
 * Whether `step` fires for the ticket, checking the cheap conditions first. `need` says which
 * facts must be fetched before it can be decided.
 */
export function evaluateStep(
  step: SweepStep,
  facts: TicketFacts,
  clock: SweepClock,
  groupIds: Map<string | number, number>,
  coming: ReadonlySet<string> = NO_TAGS,
): Verdict {
  const basics = checkBasics(step, facts.ticket, groupIds, coming);
  if (basics) return basics;
  const c = step.conditions;
  // Ages on the ticket's own clocks first, then those that need metrics, then the thread.
  for (const age of c.ages) if (SINCE_SOURCE[age.since] === 'ticket') {
    const v = checkAge(age, facts, clock);
    if (v) return v;
  }
  const needs = stepNeeds(step);
  if (!needs.metrics) return { kind: 'match' };
  if (facts.metric === undefined) return { kind: 'need', what: 'metrics' };
  if (c.groupChangedSincePublicReply === true && (facts.metric?.group_stations ?? 0) < 2) return no('never changed group');
  for (const age of c.ages) if (SINCE_SOURCE[age.since] === 'metrics') {
    const v = checkAge(age, facts, clock);
    if (v) return v;
  }
  if (!needs.thread) return { kind: 'match' };
  if (facts.thread === undefined) return { kind: 'need', what: 'thread' };
  if (c.groupChangedSincePublicReply !== undefined) {
    const changed = groupChangedSincePublicReply(facts);
    if (changed !== c.groupChangedSincePublicReply) return no(changed ? 'the group changed since the last public reply' : 'no group change since the last public reply');
  }
  for (const age of c.ages) if (SINCE_SOURCE[age.since] === 'thread') {
    const v = checkAge(age, facts, clock);
    if (v) return v;
  }
  return { kind: 'match' };
}

const NO_TAGS: ReadonlySet<string> = new Set();

/**
 * The conditions on the ticket's own fields (status, marker and other tags, group, priority,
 * channel), without any ages: a `no` verdict, or undefined when they all hold. `coming` are the
 * tags earlier steps of the same run will add: a rule that asks for another rule's marker with
 * `tags:` follows it in the same run (a step's `requires` and `no_tags` look at real tags only,
 * so a ticket never climbs several steps of one rule in one run).
 */
export function checkBasics(step: SweepStep, t: Ticket, groupIds: Map<string | number, number>, coming: ReadonlySet<string> = NO_TAGS): Verdict | undefined {
  const c = step.conditions;
  const tags = new Set((t.tags ?? []).map((x) => x.toLowerCase()));
  const has = (x: string) => tags.has(x) || coming.has(x);
  if (c.status && !c.status.includes(t.status)) return no(`status is ${t.status}`);
  if (t.status === 'closed') return no('the ticket is closed');
  for (const m of step.requires) if (!tags.has(m)) return no(`${m} is not on the ticket`);
  const present = c.noTags.find((x) => tags.has(x));
  if (present) return no(present === step.marker ? `already done (${present})` : `tag ${present}`);
  const missing = c.tags.find((x) => !has(x));
  if (missing) return no(`no tag ${missing}`);
  if (c.tagsAny.length > 0 && !c.tagsAny.some((x) => has(x))) return no(`none of the tags ${c.tagsAny.join(', ')}`);
  if (c.groups) {
    const wanted = c.groups.map((g) => groupIds.get(g) ?? (typeof g === 'number' ? g : -1));
    if (t.group_id === null || !wanted.includes(t.group_id)) return no('another group');
  }
  if (c.priorities) {
    const p = t.priority ?? 'none';
    if (!c.priorities.includes(p)) return no(`priority ${p}`);
  }
  if (c.channels) {
    const ch = String(t.via?.channel ?? '').toLowerCase();
    if (!c.channels.includes(ch)) return no(`channel ${ch || 'unknown'}`);
  }
  return undefined;
}

function checkAge(age: AgeCondition, facts: TicketFacts, clock: SweepClock): Verdict | undefined {
  const start = sinceInstant(age.since, facts);
  if (start === null) return no(`no ${age.since.replace(/_/g, ' ')} time`);
  if (age.atLeast && start > clock.cutoff(age.atLeast)) return no(`not yet ${age.text}`);
  if (age.atMost && start < clock.cutoff(age.atMost)) return no(`more than ${age.text.replace(/^.*at most /, '')}`);
  return undefined;
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

/** When the clock named by `since` started for the ticket, in ms; null when it never did. */
export function sinceInstant(since: SinceRef, facts: TicketFacts): number | null {
  const t = facts.ticket;
  const m = facts.metric ?? null;
  switch (since) {
    case 'updated':
      return ms(t.updated_at);
    case 'created':
      return ms(t.created_at);
    case 'status_change':
      return ms(m?.status_updated_at) ?? ms(t.created_at);
    case 'solved':
      return ms(m?.solved_at);
    case 'requester_update':
      return ms(m?.requester_updated_at) ?? ms(t.created_at);
    case 'agent_update':
      return ms(m?.assignee_updated_at);
    case 'last_public_reply':
      return ms(facts.thread?.lastPublicReplyAt) ?? ms(t.created_at);
    case 'transfer':
      return transferInstant(facts);
  }
}

/**
 * Whether the ticket moved to another group since the customer last heard from an agent: it
 * has been in more than one group, and the last public reply came from an agent of another
 * group (or there is none).
 */
export function groupChangedSincePublicReply(facts: TicketFacts): boolean {
  const stations = facts.metric?.group_stations ?? 0;
  if (stations < 2) return false;
  const th = facts.thread;
  if (!th || th.lastPublicReplyAt === null) return true;
  return th.lastPublicReplyGroupId !== facts.ticket.group_id;
}

/**
 * When the ticket was handed to its current group, as well as the desk's records tell
 * (Zendesk keeps the exact time only in audits): the hand-off note left by the previous group,
 * else the latest assignment after the last public reply, else the last public reply.
 */
export function transferInstant(facts: TicketFacts): number | null {
  const th = facts.thread;
  const lastReply = ms(th?.lastPublicReplyAt);
  const handoff = ms(th?.handoffAt);
  if (handoff !== null) return handoff;
  const assigned = ms(facts.metric?.assigned_at);
  if (assigned !== null && (lastReply === null || assigned > lastReply)) return assigned;
  return lastReply ?? ms(facts.ticket.created_at);
}

/**
 * The thread facts from a ticket's comments. `people` maps user ids to their role and default
 * group (authors missing from it count as agents unless they are the requester).
 */
export function summarizeThread(ticket: Ticket, comments: readonly Comment[], people: ReadonlyMap<number, Pick<User, 'role' | 'default_group_id'>>): ThreadFacts {
  const isAgent = (id: number) => {
    const p = people.get(id);
    if (p) return p.role !== 'end-user';
    return id !== ticket.requester_id;
  };
  const sorted = [...comments].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);
  let last: Comment | undefined;
  sorted.forEach((c, i) => {
    if (i > 0 && c.public && isAgent(c.author_id)) last = c;
  });
  const after = last ? sorted.slice(sorted.indexOf(last) + 1) : sorted.slice(1);
  const handoff = after.find((c) => !c.public && isAgent(c.author_id) && (people.get(c.author_id)?.default_group_id ?? null) !== ticket.group_id);
  return {
    lastPublicReplyAt: last?.created_at ?? null,
    lastPublicReplyGroupId: last ? (people.get(last.author_id)?.default_group_id ?? null) : null,
    handoffAt: handoff?.created_at ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Planning

export interface PlannedAction {
  /** Unique in a run: "<ticket id>:<step id>". */
  key: string;
  ticketId: number;
  stepId: string;
  marker: string;
  /** 0 for a ticket's first action in the run, 1 for its second, ... (one comment per update). */
  wave: number;
}

/** A step that would fire but waits for the contact window. */
export interface WaitingAction {
  key: string;
  ticketId: number;
  stepId: string;
  reason: string;
}

/** The contact policy for a plan: what customers got lately, and which steps write to them. */
export interface ContactRules {
  window: ContactWindow;
  /** Whether a step's message is public (a reply), i.e. contact with the customer. */
  isPublic(step: SweepStep): boolean;
}

export interface SweepPlan {
  actions: PlannedAction[];
  /** Public steps that fire but wait: the customer got an automated message within the window. */
  waiting: WaitingAction[];
  /** Tickets that need more facts before some step can be decided. */
  needs: { metrics: number[]; thread: number[] };
  /** Per step: the tickets it fires for, in ticket order. */
  byStep: Map<string, number[]>;
}

export function groupIdLookup(groups: Group[]): Map<string | number, number> {
  const map = new Map<string | number, number>();
  for (const g of groups) {
    map.set(g.id, g.id);
    map.set(g.name.trim().toLowerCase(), g.id);
  }
  return map;
}

/**
 * The plan for a set of tickets: each step that fires, per ticket in rule order, and the
 * tickets for which some step needs more facts (fetch them and plan again).
 */
export function planSweep(steps: readonly SweepStep[], facts: Iterable<TicketFacts>, ctx: PlanContext, contacts?: ContactRules): SweepPlan {
  const clock = new SweepClock(ctx.now, ctx.calendar);
  const ledger = contacts ? new ContactLedger(contacts.window) : undefined;
  const waiting: WaitingAction[] = [];
  const groupIds = groupIdLookup(ctx.groups);
  const actions: PlannedAction[] = [];
  const needMetrics = new Set<number>();
  const needThread = new Set<number>();
  const byStep = new Map<string, number[]>(steps.map((s) => [s.id, []]));
  const sorted = [...facts].sort((a, b) => a.ticket.id - b.ticket.id);
  for (const f of sorted) {
    let wave = 0;
    const coming = new Set<string>();
    for (const step of steps) {
      const v = evaluateStep(step, f, clock, groupIds, coming);
      if (v.kind === 'need') {
        (v.what === 'metrics' ? needMetrics : needThread).add(f.ticket.id);
        continue;
      }
      if (v.kind === 'no') continue;
      if (ledger && contacts!.isPublic(step)) {
        const key = `${f.ticket.id}:${step.id}`;
        const why = ledger.claim(f.ticket.requester_id, { ticketId: f.ticket.id, at: ctx.now.getTime(), what: `the follow-up ${step.id}` });
        if (why) {
          // It does not go out, so a step that needs its marker does not follow in this run.
          waiting.push({ key, ticketId: f.ticket.id, stepId: step.id, reason: why });
          continue;
        }
      }
      actions.push({ key: `${f.ticket.id}:${step.id}`, ticketId: f.ticket.id, stepId: step.id, marker: step.marker, wave: wave++ });
      byStep.get(step.id)!.push(f.ticket.id);
      coming.add(step.marker);
      for (const tag of step.action.tags) coming.add(tag);
    }
  }
  return { actions, waiting, needs: { metrics: [...needMetrics], thread: [...needThread] }, byStep };
}

/** Why a step does or does not fire for one ticket (for `sweep plan --explain` and re-checks). */
export function explainStep(step: SweepStep, facts: TicketFacts, ctx: PlanContext): Verdict {
  return evaluateStep(step, facts, new SweepClock(ctx.now, ctx.calendar), groupIdLookup(ctx.groups));
}

// ---------------------------------------------------------------------------------------------
// Candidate searches

/**
 * What a rule's candidates have in common: statuses, tags, groups, priorities, channels, the
 * final marker excluded, and ages on the ticket's own clocks as date bounds. Rendered as a
 * search (candidateQuery) or tested on tickets held locally (candidateTest): one meaning.
 */
export interface CandidateFilter {
  /** Any of these (empty: any status). */
  statuses: string[];
  /** None of these tags. */
  noTags: string[];
  /** Any of these tags (empty: no condition); several `tags:` terms are ORed by search. */
  anyTags: string[];
  /** Any of these group ids (empty: no condition). */
  groupIds: number[];
  /** Any of these priorities, "none" for none (empty: no condition). */
  priorities: string[];
  /** Any of these channels (empty: no condition). */
  channels: string[];
  /** Bounds on the ticket's clocks, in whole seconds as search compares them. */
  bounds: Array<{ field: 'updated' | 'created'; op: '<' | '>'; at: string }>;
}

/** The filter every candidate of a rule's steps passes (exact checks follow: planSweep). */
export function candidateFilter(steps: readonly SweepStep[], ctx: PlanContext): CandidateFilter {
  const first = steps[0]!;
  const c = first.conditions;
  const statuses = (c.status ?? ['new', 'open', 'pending', 'hold', 'solved']).filter((s) => s !== 'closed');
  // Every step excludes the rule's last marker (a ticket never goes back a step).
  const noTags = steps.reduce<string[]>((acc, s) => acc.filter((t) => s.conditions.noTags.includes(t)), [...c.noTags]);
  const anyTags = c.tags.length > 0 ? c.tags.slice(0, 1) : [...c.tagsAny];
  const groupIds: number[] = [];
  const lookup = groupIdLookup(ctx.groups);
  for (const g of c.groups ?? []) {
    const id = lookup.get(g);
    if (id !== undefined) groupIds.push(id);
  }
  const bounds: CandidateFilter['bounds'] = [];
  // Date bounds that hold for every step: the weakest at_least and at_most on ticket clocks.
  const clock = new SweepClock(ctx.now, ctx.calendar);
  for (const field of ['updated', 'created'] as const) {
    const ages = steps.map((s) => s.conditions.ages.filter((a) => a.since === field));
    if (ages.some((list) => list.length === 0)) continue;
    const latest = Math.max(...ages.map((list) => Math.min(...list.map((a) => (a.atLeast ? clock.cutoff(a.atLeast) : Infinity)))));
    if (Number.isFinite(latest)) bounds.push({ field, op: '<', at: isoSecondsCeil(latest + 1000) });
    const earliest = Math.min(...ages.map((list) => Math.max(...list.map((a) => (a.atMost ? clock.cutoff(a.atMost) : -Infinity)))));
    if (Number.isFinite(earliest)) bounds.push({ field, op: '>', at: isoSecondsCeil(earliest - 1000) });
  }
  return { statuses, noTags, anyTags, groupIds, priorities: [...(c.priorities ?? [])], channels: [...(c.channels ?? [])], bounds };
}

/**
 * A search (Zendesk syntax, uncapped export) that finds every ticket a rule's steps could fire
 * for, and usually not many more. Exact checks follow.
 */
export function candidateQuery(steps: readonly SweepStep[], ctx: PlanContext): string {
  return filterQuery(candidateFilter(steps, ctx));
}

/** The filter as a search: terms on one field are ORed, the rest ANDed. */
export function filterQuery(f: CandidateFilter): string {
  const parts = ['type:ticket'];
  for (const s of f.statuses) parts.push(`status:${s}`);
  for (const tag of f.noTags) parts.push(`-tags:${tag}`);
  for (const tag of f.anyTags) parts.push(`tags:${tag}`);
  for (const id of f.groupIds) parts.push(`group:${id}`);
  for (const p of f.priorities) parts.push(`priority:${p}`);
  for (const ch of f.channels) parts.push(`via:${ch}`);
  for (const b of f.bounds) parts.push(`${b.field}${b.op}${b.at}`);
  return parts.join(' ');
}

/**
 * Whether candidateTest means what the search means; otherwise why not: a tag search reads
 * its own way (`tags:none`, a `*` prefix, quotes), which a rule's tag may spell by chance.
 */
export function filterLocally(f: CandidateFilter): { ok: true } | { ok: false; why: string } {
  const odd = [...f.noTags, ...f.anyTags].find((t) => t.toLowerCase() === 'none' || /[*"]/.test(t));
  return odd === undefined ? { ok: true } : { ok: false, why: `search reads the tag ${JSON.stringify(odd)} its own way` };
}

/**
 * The filter as a test on a ticket, with the meaning search gives the query (the embedded
 * desk's, src/desk/search.ts): tags compared lower-cased, times in whole seconds.
 */
export function candidateTest(f: CandidateFilter): (t: Ticket) => boolean {
  const statuses = new Set(f.statuses);
  const noTags = f.noTags.map((x) => x.toLowerCase());
  const anyTags = f.anyTags.map((x) => x.toLowerCase());
  const groups = new Set(f.groupIds);
  const priorities = new Set(f.priorities.map((p) => p.toLowerCase()));
  const channels = new Set(f.channels.map((ch) => ch.toLowerCase()));
  const bounds = f.bounds.map((b) => ({ ...b, s: Math.floor(Date.parse(b.at) / 1000) }));
  return (t) => {
    if (statuses.size > 0 && !statuses.has(t.status)) return false;
    const tags = new Set((t.tags ?? []).map((x) => x.toLowerCase()));
    if (noTags.some((x) => tags.has(x))) return false;
    if (anyTags.length > 0 && !anyTags.some((x) => tags.has(x))) return false;
    if (groups.size > 0 && (t.group_id === null || t.group_id === undefined || !groups.has(t.group_id))) return false;
    if (priorities.size > 0 && !priorities.has(t.priority ?? 'none')) return false;
    if (channels.size > 0 && !channels.has(String(t.via?.channel ?? '').toLowerCase())) return false;
    for (const b of bounds) {
      const ms = Date.parse(b.field === 'updated' ? t.updated_at : t.created_at);
      if (!Number.isFinite(ms)) return false;
      const s = Math.floor(ms / 1000);
      if (b.op === '<' ? !(s < b.s) : !(s > b.s)) return false;
    }
    return true;
  };
}

function isoSecondsCeil(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function no(reason: string): Verdict {
  return { kind: 'no', reason };
}
