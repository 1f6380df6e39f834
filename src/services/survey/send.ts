/**
 * Sending surveys: the eligible solved tickets (not surveyed before, requester outside the
 * fatigue window, one ticket per requester a run), then each survey rendered from its template
 * and sent in batches on the bulk machinery, exactly once per ticket.
 */
import { ContactLedger, DEFAULT_CONTACT_WINDOW_HOURS } from '../../core/contact-policy.js';
import { recentContacts } from '../contact.js';
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Group, Organization, Ticket, TicketStatus, User } from '../../core/model.js';
import { UsageError } from '../../core/errors.js';
import { asTheyAreNow, recentlyChanged } from '../recent.js';
import { buildRenderContext, renderTemplate, templateVariables, type ReplyTemplate } from '../../core/templates.js';
import {
  SENT_ON_SOLVED_TAG,
  SURVEYED_TAG,
  SURVEY_SCALES,
  SURVEY_TYPES,
  sentAtFromTags,
  sentAtTag,
  sentTag,
  typesSent,
  type SurveyType,
} from '../../core/survey.js';
import { findTemplate, replyUpdate, type TemplateLibrary } from '../replies.js';
import { endRun, runBulk, runStopped, startRun, type BulkItem, type PlanTuple, type PreparedChange, type Recheck } from '../bulk/index.js';
import { EXPORT_PAGE, outcomeList, type BulkRunOptions, type Skip } from './shared.js';
import { atOrAfter, type TicketSource } from '../ticket-source.js';

const DAY_MS = 86_400_000;

export interface SendPlanOptions {
  type: SurveyType;
  now: Date;
  /** Tickets solved at or after this (ignored with ticketIds). */
  since: Date;
  ticketIds?: number[];
  statuses: readonly TicketStatus[];
  fatigueDays: number;
  /** The contact window in hours (contact.window_hours; 0: off). Default 24. */
  contactWindowHours?: number;
  onPhase?: (message: string) => void;
  /**
   * The tickets held locally (the profile's replica): synced once, then the candidates (but
   * the solved ones: the replica holds no solve times), the surveyed requesters and the
   * contact window are read from it. Without it (Request Tracker), searches.
   */
  source?: TicketSource;
  /** What a --verbose run should hear: what is searched all the same, and why. */
  onNotice?: (message: string) => void;
}

export interface SendPlan {
  type: SurveyType;
  now: Date;
  statuses: readonly TicketStatus[];
  /** Tickets looked at. */
  candidates: number;
  eligible: Ticket[];
  skipped: Skip[];
}

/** Which tickets get the survey, and why the others do not. Reads only. */
export async function planSurveySend(desk: HelpDesk, options: SendPlanOptions): Promise<SendPlan> {
  const { type, now, source } = options;
  if (source) {
    options.onPhase?.('bringing the ticket replica up to date');
    await source.sync();
  }
  let candidates: Ticket[] = [];
  const searched: Ticket[] = [];
  const skipped: Skip[] = [];
  if (options.ticketIds) {
    const ids = [...new Set(options.ticketIds)];
    const found = new Map<number, Ticket>();
    for (const t of await desk.getTickets(ids)) found.set(t.id, t);
    for (const id of ids) {
      const t = found.get(id);
      if (t) candidates.push(t);
      else skipped.push({ ticket_id: id, reason: 'ticket not found' });
    }
  } else {
    for (const status of options.statuses) {
      // A solved ticket counts from its solve; an open, pending or on-hold one from its last update.
      const clock = status === 'solved' ? 'solved' : 'updated';
      options.onPhase?.(`reading ${status} tickets ${clock} since ${options.since.toISOString().slice(0, 10)}`);
      if (source && clock === 'updated') {
        for (const t of source.tickets({ statuses: [status] })) if (atOrAfter(t.updated_at, options.since)) candidates.push(t);
        continue;
      }
      // A ticket's solve time is in its metric set, which the replica does not keep for solved tickets.
      if (source) options.onNotice?.(`${status} tickets are searched on the desk (solved>=): the replica holds no solve times`);
      const q = `type:ticket status:${status} ${clock}>=${options.since.toISOString()}`;
      for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) {
        candidates.push(t);
        searched.push(t);
      }
    }
  }
  // Search trails the desk: tickets changed in the last minutes are taken as they are now
  // (from the replica, synced now, or read live).
  const recent = options.ticketIds ? new Map<number, Ticket>() : source ? newerHeld(source, searched) : await recentlyChanged(desk, now);
  candidates = asTheyAreNow(candidates, recent);

  // Requesters surveyed within the fatigue window (any survey type), from the send-time tags.
  const fatigueStart = new Date(now.getTime() - options.fatigueDays * DAY_MS);
  const fatigued = new Map<number, { ticketId: number; at: Date }>();
  if (options.fatigueDays > 0) {
    options.onPhase?.(`reading tickets surveyed since ${fatigueStart.toISOString().slice(0, 10)}`);
    const surveyed = (t: Ticket) => {
      const at = sentAtFromTags(t.tags ?? []);
      if (!at || at < fatigueStart) return;
      const seen = fatigued.get(t.requester_id);
      if (!seen || at > seen.at) fatigued.set(t.requester_id, { ticketId: t.id, at });
    };
    if (source) {
      for (const t of source.tickets()) if ((t.tags ?? []).includes(SURVEYED_TAG) && atOrAfter(t.updated_at, fatigueStart)) surveyed(t);
    } else {
      const q = `type:ticket tags:${SURVEYED_TAG} updated>=${fatigueStart.toISOString()}`;
      for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) surveyed(recent.get(t.id) ?? t);
      // Surveyed in the last minutes: not in search yet.
      for (const t of recent.values()) surveyed(t);
    }
  }

  // One contact policy with the sweeps: a customer who got an automated message within the
  // window (a sweep follow-up, another survey) waits.
  const hours = options.contactWindowHours ?? DEFAULT_CONTACT_WINDOW_HOURS;
  const contacts = new ContactLedger({ hours, now, earlier: await recentContacts(desk, now, hours, options.onPhase, source) });

  // Most recently solved first: a requester with several solved tickets is asked about the last.
  candidates.sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id);
  const chosen = new Map<number, number>();
  const eligible: Ticket[] = [];
  for (const t of candidates) {
    const reason = sendSkipReason(t, options, fatigued, chosen) ?? contacts.claim(t.requester_id, { ticketId: t.id, at: now.getTime(), what: `a survey (${SURVEY_SCALES[type].label})` });
    if (reason) {
      skipped.push({ ticket_id: t.id, reason });
      continue;
    }
    chosen.set(t.requester_id, t.id);
    eligible.push(t);
  }
  eligible.sort((a, b) => a.id - b.id);
  skipped.sort((a, b) => a.ticket_id - b.ticket_id);
  return { type, now, statuses: options.statuses, candidates: candidates.length, eligible, skipped };
}

/** The replica's copies of these tickets where newer (it was synced just now; search trails the desk). */
function newerHeld(source: TicketSource, tickets: readonly Ticket[]): Map<number, Ticket> {
  const read = new Map(tickets.map((t) => [t.id, Date.parse(t.updated_at)]));
  const out = new Map<number, Ticket>();
  if (read.size === 0) return out;
  for (const t of source.tickets()) if (read.has(t.id) && Date.parse(t.updated_at) > read.get(t.id)!) out.set(t.id, t);
  return out;
}

function sendSkipReason(
  t: Ticket,
  options: Pick<SendPlanOptions, 'statuses' | 'fatigueDays'>,
  fatigued: Map<number, { ticketId: number; at: Date }>,
  chosen: Map<number, number>,
): string | null {
  if (t.status === 'closed') return 'closed: the desk allows no change to a closed ticket';
  if (!options.statuses.includes(t.status)) return `status is ${t.status}, not ${options.statuses.join(' or ')}`;
  const sent = typesSent(t.tags ?? []);
  if (sent.length > 0) return `already surveyed (${sent.map((s) => SURVEY_SCALES[s].label).join(', ')})`;
  const f = fatigued.get(t.requester_id);
  if (f && f.ticketId !== t.id) return `requester surveyed on #${f.ticketId} on ${f.at.toISOString().slice(0, 10)}, within ${options.fatigueDays} days`;
  const other = chosen.get(t.requester_id);
  if (other !== undefined) return `requester gets this survey on #${other}`;
  return null;
}

/** The people and records survey templates read, fetched 100 at a time. */
class SurveyRenderer {
  private readonly users = new Map<number, User>();
  private readonly orgs = new Map<number, Organization>();
  private readonly groups: Map<number, Group>;
  private readonly reads: { assignee: boolean; organization: boolean };

  constructor(
    private readonly desk: HelpDesk,
    readonly template: ReplyTemplate,
    private readonly me: User,
    groups: Group[],
  ) {
    this.groups = new Map(groups.map((g) => [g.id, g]));
    const vars = templateVariables(template);
    const reads = (p: string) => vars.some((v) => v === p || v.startsWith(`${p}.`));
    this.reads = { assignee: reads('ticket.assignee'), organization: reads('ticket.organization') };
  }

  async prefetch(tickets: readonly Ticket[]): Promise<void> {
    const userIds = new Set<number>();
    const orgIds = new Set<number>();
    for (const t of tickets) {
      if (!this.users.has(t.requester_id)) userIds.add(t.requester_id);
      if (this.reads.assignee && t.assignee_id !== null && !this.users.has(t.assignee_id)) userIds.add(t.assignee_id);
      if (this.reads.organization && t.organization_id !== null && !this.orgs.has(t.organization_id)) orgIds.add(t.organization_id);
    }
    // The desk asks for 100 ids a request.
    if (userIds.size > 0) for (const u of await this.desk.getUsers([...userIds])) this.users.set(u.id, u);
    if (orgIds.size > 0) for (const o of await this.desk.getOrganizations([...orgIds])) this.orgs.set(o.id, o);
  }

  /** The survey comment, the marker and the send-time tag, as one update; or why not. */
  change(type: SurveyType, ticket: Ticket, at: Date): PreparedChange | { error: string } {
    try {
      const context = buildRenderContext({
        ticket,
        requester: this.users.get(ticket.requester_id),
        assignee: ticket.assignee_id !== null ? this.users.get(ticket.assignee_id) : undefined,
        group: ticket.group_id !== null ? this.groups.get(ticket.group_id) : undefined,
        organization: ticket.organization_id !== null ? this.orgs.get(ticket.organization_id) : undefined,
        me: this.me,
      });
      const body = renderTemplate(this.template, context);
      if (body.trim() === '') return { error: `template ${this.template.name} rendered an empty survey` };
      // The same update a reply from this template makes (its set: status, priority, tags)...
      const update = replyUpdate({
        ticketId: ticket.id,
        body,
        public: true,
        set: this.template.set,
        template: this.template.name,
        locale: this.template.locale,
        vars: {},
        ticketUpdatedAt: ticket.updated_at,
        unusedVars: [],
      });
      // ...where a solved ticket stays solved (the survey is not new work), plus the markers.
      update.status ??= ticket.status;
      update.additional_tags = [...new Set([...(update.additional_tags ?? []), SURVEYED_TAG, sentTag(type), sentAtTag(at), ...(ticket.status === 'solved' ? [SENT_ON_SOLVED_TAG] : [])])];
      return { update, stamp: ticket.updated_at };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }
}

export interface SendResult {
  run_id: string;
  status: 'completed' | 'partial' | 'interrupted';
  type: SurveyType;
  template: string;
  candidates: number;
  eligible: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Found already on the desk when checked (after an ambiguous failure). */
  verified: number;
  skips: Skip[];
  failures: Skip[];
  batches: number;
}

/** The survey template for a type: --template, else survey-<type>. Checked before anything is read. */
export function surveyTemplate(library: TemplateLibrary, type: SurveyType, name?: string, locale?: string): ReplyTemplate {
  const template = findTemplate(library, name ?? `survey-${type}`, locale);
  if (template.category !== 'survey') throw new UsageError(`template ${template.name} is not a survey (its category is ${template.category}); pick one with category: survey`);
  if (!template.public) throw new UsageError(`template ${template.name} is an internal note; a survey must be a public reply`);
  const other = SURVEY_TYPES.find((t) => t !== type && (template.set.tags ?? []).includes(sentTag(t)));
  if (other) {
    throw new UsageError(`template ${template.name} is a ${SURVEY_SCALES[other].label} survey (it adds ${sentTag(other)}), not ${SURVEY_SCALES[type].label}`, {
      hint: `use --type ${other}, or a ${SURVEY_SCALES[type].label} template such as survey-${type}`,
    });
  }
  return template;
}

/** Sends the plan's surveys. Call with the profile's survey lock held. */
export async function executeSurveySend(desk: HelpDesk, plan: SendPlan, template: ReplyTemplate, options: BulkRunOptions): Promise<SendResult> {
  const { type } = plan;
  const [me, groups] = await Promise.all([desk.me(), desk.listGroups()]);
  const renderer = new SurveyRenderer(desk, template, me, groups);
  const byId = new Map(plan.eligible.map((t) => [t.id, t]));
  const items: BulkItem[] = plan.eligible.map((t) => ({ key: `${t.id}:${type}`, ticketId: t.id, marker: sentTag(type), group: type, wave: 0, lazy: true }));
  const journal = startRun(options.scope, { ...options.meta, command: 'survey send', type, template: template.name, now: plan.now.toISOString() });
  options.onStart?.(journal.runId);
  journal.appendPlan(items.map((i): PlanTuple => [i.key, i.ticketId, i.marker, i.group, '']));

  const decide = async (tickets: Ticket[]): Promise<Map<number, Recheck>> => {
    await renderer.prefetch(tickets);
    const out = new Map<number, Recheck>();
    for (const t of tickets) {
      const change = renderer.change(type, t, options.now());
      out.set(t.id, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
    }
    return out;
  };
  let result;
  try {
    result = await runBulk(
      desk,
      journal,
      items,
      {
        prepare: async (batch) => {
          const decided = await decide(batch.map((i) => byId.get(i.ticketId)!));
          return new Map(batch.map((i) => [i.key, decided.get(i.ticketId)!]));
        },
        // The ticket changed, or a send was ambiguous and did not land: decide again on it as it is now.
        recheck: async (pairs) => {
          const out = new Map<string, Recheck>();
          const still: Ticket[] = [];
          for (const { item, ticket } of pairs) {
            const reason = sendSkipReason(ticket, { statuses: plan.statuses, fatigueDays: 0 }, new Map(), new Map());
            if (reason) out.set(item.key, { kind: 'skip', reason: `no longer eligible: ${reason}` });
            else still.push(ticket);
          }
          const decided = await decide(still);
          for (const { item, ticket } of pairs) if (!out.has(item.key)) out.set(item.key, decided.get(ticket.id)!);
          return out;
        },
        onProgress: options.onProgress,
      },
      { signal: options.signal, ...options.bulk },
    );
  } catch (err) {
    throw runStopped(journal, err, `run the same \`deskops survey send\` again (tickets already surveyed are skipped)`);
  }
  const status = result.interrupted ? 'interrupted' : result.failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned: items.length, sent: result.sent, skipped: result.skipped, failed: result.failed });
  return {
    run_id: journal.runId,
    status,
    type,
    template: template.name,
    candidates: plan.candidates,
    eligible: plan.eligible.length,
    sent: result.sent,
    skipped: plan.skipped.length + result.skipped,
    failed: result.failed,
    verified: result.outcomes.filter((o) => o.verified).length,
    skips: [...plan.skipped, ...outcomeList(result.outcomes, 'skipped')].sort((a, b) => a.ticket_id - b.ticket_id),
    failures: outcomeList(result.outcomes, 'failed'),
    batches: result.batches,
  };
}
