/**
 * Ticket workflows shared by the CLI and the triage screen: list with names resolved,
 * view with its thread, update with names (me, agent email, group name) resolved to ids.
 */
import type { HelpDesk, TicketDetail } from '../api/helpdesk.js';
import type { Group, Organization, Ticket, TicketUpdate, User } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { buildTicketQuery, type TicketFilters } from '../core/ticket-query.js';

export interface TicketRow {
  ticket: Ticket;
  requester?: User;
  assignee?: User;
  group?: Group;
}

export interface TicketListResult {
  rows: TicketRow[];
  query: string;
  /** The desk's count of all matches, when it gave one (Zendesk's search does; RT does not). */
  total: number | null;
  /**
   * More tickets may match than `rows` holds: the count says so, or, without a count, the
   * limit was reached.
   */
  truncated: boolean;
}

/** Search for tickets matching the filters, newest activity first, with people and groups resolved. */
export async function listTickets(desk: HelpDesk, filters: TicketFilters, limit: number): Promise<TicketListResult> {
  const query = buildTicketQuery(filters);
  await checkFilterNames(desk, filters);
  const tickets: Ticket[] = [];
  let total: number | null = null;
  // The ranked search stops at 1,000 results on Zendesk; past that, page the uncapped export.
  const source =
    limit <= 1000
      ? desk.searchTickets(query, { limit, sortBy: 'updated_at', sortOrder: 'desc', onCount: (n) => (total = n) })
      : desk.exportSearchTickets(query);
  for await (const t of source) {
    tickets.push(t);
    if (tickets.length >= limit) break;
  }
  const counted = total as number | null;
  const truncated = counted !== null ? counted > tickets.length : tickets.length >= limit;
  return { rows: await resolveNames(desk, tickets), query, total: counted, truncated };
}

/**
 * Every ticket matching the filters, a page at a time with names resolved, from the uncapped
 * search export (Zendesk's search stops at 1,000): in the export's order, not by update time.
 * Memory stays flat however many match; people and groups are read once per listing.
 */
export async function listAllTickets(desk: HelpDesk, filters: TicketFilters, pageSize = EXPORT_PAGE): Promise<AsyncIterable<TicketRow[]>> {
  // Bad filters fail here, before anything is printed.
  const query = buildTicketQuery(filters);
  await checkFilterNames(desk, filters);
  return exportPages(desk, query, pageSize);
}

async function* exportPages(desk: HelpDesk, query: string, pageSize: number): AsyncGenerator<TicketRow[]> {
  const names: NameCache = { users: new Map() };
  let page: Ticket[] = [];
  for await (const t of desk.exportSearchTickets(query, { pageSize })) {
    page.push(t);
    if (page.length >= pageSize) {
      yield await resolveNames(desk, page, names);
      page = [];
    }
  }
  if (page.length > 0) yield await resolveNames(desk, page, names);
}

/** Tickets an export page holds for listAllTickets (Zendesk recommends 100). */
const EXPORT_PAGE = 100;

/** People and groups resolveNames has read, kept across the pages of one listing. */
export interface NameCache {
  users: Map<number, User>;
  groups?: Promise<Group[]>;
}

/**
 * Joins requester, assignee and group records onto tickets in two batched requests (fewer
 * with a cache that already holds them).
 */
export async function resolveNames(desk: HelpDesk, tickets: Ticket[], cache: NameCache = { users: new Map() }): Promise<TicketRow[]> {
  const userIds = new Set<number>();
  for (const t of tickets) {
    if (!cache.users.has(t.requester_id)) userIds.add(t.requester_id);
    if (t.assignee_id && !cache.users.has(t.assignee_id)) userIds.add(t.assignee_id);
  }
  if (tickets.some((t) => t.group_id)) cache.groups ??= desk.listGroups();
  const [users, groups] = await Promise.all([
    userIds.size > 0 ? desk.getUsers([...userIds]) : Promise.resolve([] as User[]),
    cache.groups ?? Promise.resolve([] as Group[]),
  ]);
  for (const u of users) cache.users.set(u.id, u);
  const groupById = new Map(groups.map((g) => [g.id, g]));
  return tickets.map((ticket) => ({
    ticket,
    requester: cache.users.get(ticket.requester_id),
    assignee: ticket.assignee_id ? cache.users.get(ticket.assignee_id) : undefined,
    group: ticket.group_id ? groupById.get(ticket.group_id) : undefined,
  }));
}

export interface TicketView extends TicketDetail {
  requester?: User;
  assignee?: User;
  group?: Group;
  organization?: Organization;
}

export async function viewTicket(desk: HelpDesk, id: number): Promise<TicketView> {
  const detail = await desk.getTicketDetail(id);
  const { ticket } = detail;
  const users = new Map(detail.users.map((u) => [u.id, u]));
  return {
    ...detail,
    requester: users.get(ticket.requester_id),
    assignee: ticket.assignee_id ? users.get(ticket.assignee_id) : undefined,
    group: detail.groups.find((g) => g.id === ticket.group_id),
    organization: detail.organizations.find((o) => o.id === ticket.organization_id),
  };
}

export interface TicketChange {
  status?: Ticket['status'];
  priority?: NonNullable<Ticket['priority']>;
  /** me, none, an agent id, email or exact name. */
  assign?: string;
  /** Group name or id. */
  group?: string;
  addTags?: string[];
  removeTags?: string[];
  note?: string;
  reply?: string;
}

export function isEmptyChange(change: TicketChange): boolean {
  return (
    change.status === undefined &&
    change.priority === undefined &&
    change.assign === undefined &&
    change.group === undefined &&
    !change.addTags?.length &&
    !change.removeTags?.length &&
    change.note === undefined &&
    change.reply === undefined
  );
}

/** Turns a user-level change (names) into the desk's update (ids). */
export async function resolveChange(desk: HelpDesk, change: TicketChange): Promise<TicketUpdate> {
  if (change.note !== undefined && change.reply !== undefined) {
    throw new UsageError('use either --note or --reply, not both');
  }
  const update: TicketUpdate = {};
  if (change.status) update.status = change.status;
  if (change.priority) update.priority = change.priority;
  if (change.assign !== undefined) update.assignee_id = await resolveAgent(desk, change.assign);
  if (change.group !== undefined) update.group_id = await resolveGroup(desk, change.group);
  if (change.addTags?.length) update.additional_tags = change.addTags;
  if (change.removeTags?.length) update.remove_tags = change.removeTags;
  const body = change.note ?? change.reply;
  if (body !== undefined) {
    if (body.trim() === '') throw new UsageError(`--${change.note !== undefined ? 'note' : 'reply'} needs some text`);
    update.comment = { body, public: change.reply !== undefined };
  }
  return update;
}

export async function updateTicket(desk: HelpDesk, id: number, change: TicketChange): Promise<Ticket> {
  if (isEmptyChange(change)) {
    throw new UsageError('nothing to update: give --status, --priority, --assign, --group, --tag, --untag, --note or --reply');
  }
  // Fail on a missing ticket before resolving names, so the error names the ticket.
  const current = await desk.getTicket(id);
  const update = await resolveChange(desk, change);
  return desk.updateTicket(id, update, { ifUnmodifiedSince: current.updated_at });
}

/**
 * Refuses an assignee or a group the desk does not have (UsageError naming the valid ones):
 * a search for one finds nothing, and an empty list would say "nobody has work" instead.
 */
export async function checkFilterNames(desk: HelpDesk, filters: Pick<TicketFilters, 'assignee' | 'group'>): Promise<void> {
  const who = filters.assignee?.trim();
  await Promise.all([
    who !== undefined && who !== 'me' && who !== 'none' ? resolveAgent(desk, who) : undefined,
    filters.group !== undefined ? resolveGroup(desk, filters.group) : undefined,
  ]);
}

/** At most this many valid names in a refusal; the rest are counted. */
const NAMES_LISTED = 20;

/** `group "value" not found; groups: a, b, c and 4 more`: one line. */
function unknownName(what: string, value: string, valid: string, names: string[]): UsageError {
  const listed = names.slice(0, NAMES_LISTED).join(', ');
  const more = names.length > NAMES_LISTED ? ` and ${names.length - NAMES_LISTED} more` : '';
  return new UsageError(`${what} "${value}" not found; ${valid}: ${names.length > 0 ? `${listed}${more}` : '(none)'}`);
}

/** An agent (or admin) by id, email or full name, `me`, or `none` (null). UsageError if unknown. */
export async function resolveAgent(desk: HelpDesk, who: string): Promise<number | null> {
  const w = who.trim();
  if (w === '' ) throw new UsageError('--assign needs me, none, an agent id, email or name');
  if (w === 'none') return null;
  if (w === 'me') return (await desk.me()).id;
  const agents: User[] = [];
  for await (const u of desk.listUsers({ role: 'agent' })) agents.push(u);
  for await (const u of desk.listUsers({ role: 'admin' })) agents.push(u);
  const lower = w.toLowerCase();
  const match =
    agents.find((a) => String(a.id) === w) ??
    agents.find((a) => a.email.toLowerCase() === lower) ??
    agents.find((a) => a.name.toLowerCase() === lower);
  if (!match) throw unknownName('agent', who, 'use me, none or one of the agents', agents.map((a) => a.email));
  return match.id;
}

/** A group by id or name (any case), or `none` (null). UsageError naming the groups if unknown. */
export async function resolveGroup(desk: Pick<HelpDesk, 'listGroups'>, group: string): Promise<number | null> {
  const g = group.trim();
  if (g === 'none') return null;
  const groups = await desk.listGroups();
  const lower = g.toLowerCase();
  const match = groups.find((x) => String(x.id) === g) ?? groups.find((x) => x.name.toLowerCase() === lower);
  if (!match) throw unknownName('group', group, 'groups', groups.map((x) => x.name));
  return match.id;
}

/** The ticket fields conditions and templates read (a desk sends many more). */
export function slimTicket(t: Ticket, keepDescription = true): Ticket {
  return {
    id: t.id,
    subject: t.subject,
    description: keepDescription ? t.description : '',
    status: t.status,
    priority: t.priority,
    type: t.type,
    requester_id: t.requester_id,
    assignee_id: t.assignee_id,
    group_id: t.group_id,
    organization_id: t.organization_id,
    tags: t.tags,
    custom_fields: [],
    via: { channel: t.via?.channel ?? '' },
    created_at: t.created_at,
    updated_at: t.updated_at,
    ...(t.due_at ? { due_at: t.due_at } : {}),
  };
}
