/** Rendering each ticket's change: a step's template or inline action on the ticket as it is. */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Group, Organization, Ticket, TicketMetric, TicketUpdate, User } from '../../core/model.js';
import { templateVariables } from '../../core/templates.js';
import type { SweepStep } from '../../core/sweep-rules.js';
import { renderForTicket, replyTicketFrom, replyUpdate } from '../replies.js';
import { resolveAgent, type TicketView } from '../tickets.js';
import type { PreparedChange } from '../bulk/index.js';
import type { LoadedRules } from './rules.js';
import { slimUser } from './slim.js';

/** What rendering needs beyond the ticket: the people, groups, organizations and the sender. */
export class RenderKit {
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
