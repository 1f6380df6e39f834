/**
 * HelpDesk over Request Tracker 5's REST2 API (/REST/2.0), mapping RT's records into the
 * Zendesk shapes the services use. The map:
 *
 * | deskops (Zendesk)        | Request Tracker                                                          |
 * | ------------------------ | ------------------------------------------------------------------------ |
 * | ticket search            | TicketSQL (./ticketsql.ts) on GET /tickets, paged 100 at a time; no cap   |
 * | statuses, priorities     | ./mapping.ts (stalled reads as pending; priority numbers in 4 ranges)    |
 * | group                    | queue                                                                    |
 * | agent / end-user         | privileged / unprivileged user (RT has no admin role: none listed)       |
 * | tags                     | the multi-value ticket custom field "Tags", when RT has one              |
 * | custom fields            | ticket custom fields (by id)                                             |
 * | comments                 | Create and Correspond transactions (public), Comment (internal note)      |
 * | ticket metrics           | computed from the ticket's transactions (./metrics.ts)                   |
 * | update                   | PUT /ticket/:id for fields, POST correspond|comment for the message; RT   |
 * |                          | answers 200 with a list of messages even when a change failed, so the    |
 * |                          | ticket is read back and a change that did not take is an ApiError with   |
 * |                          | RT's messages                                                            |
 * | safe update              | the ticket's LastUpdated compared first, then If-Match with its ETag on  |
 * |                          | the PUT; a message carries the tags and status in the same POST, so a    |
 * |                          | marker tag is stored only with its message (applyUpdate, docs/rt.md)     |
 * | update_many, job status  | one update per ticket (safe_update + updated_stamp honoured), then a     |
 * |                          | completed job kept in memory (RT has no job queue)                       |
 * | incremental export       | TicketSQL LastUpdated >= the cursor, ordered by LastUpdated and id, with |
 * |                          | metrics computed per page; RT's search never shows deleted tickets, so   |
 * |                          | deletions are not reported                                               |
 * | organizations            | none: RT has none, so none are listed and no ticket names one            |
 * | satisfaction ratings     | none: listSatisfactionRatings throws NotFoundError saying so             |
 * | SLAs, business minutes   | none: tickets carry no `slas`; metrics' business minutes are null        |
 */
import { randomUUID } from 'node:crypto';
import { ApiError, AuthError, ConflictError, DeskopsError, NotFoundError, PermissionError, UsageError } from '../../core/errors.js';
import type {
  BulkUpdate,
  Connection,
  HelpDesk,
  SearchOptions,
  ShowManyOptions,
  ShowOptions,
  TicketDetail,
  TicketListOptions,
} from '../helpdesk.js';
import type { HttpClient, HttpRequest, Query } from '../http.js';
import type {
  Comment,
  CustomFieldValue,
  Group,
  IncrementalTicketPage,
  JobStatus,
  JobStatusResult,
  Organization,
  RateLimitState,
  SatisfactionRating,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketUpdate,
  User,
} from '../types.js';
import { findAppliedComment, sameInstant } from '../zendesk/applied.js';
import { priorityFromRt, priorityToRt, statusToRt } from './mapping.js';
import { computeMetrics } from './metrics.js';
import {
  channelFromInterface,
  commentsFrom,
  groupFrom,
  isBody,
  maybeId,
  messageBody,
  messageInterface,
  NOBODY,
  partFrom,
  recordId,
  TAGS_FIELD,
  TICKET_FIELDS,
  ticketFrom,
  ticketPeople,
  transactionFrom,
  USER_FIELDS,
  userFrom,
  type RtBody,
  type RtPart,
  type RtTransaction,
} from './records.js';
import { ALL_TICKETS, rtInstant, sqlString, toTicketSql } from './ticketsql.js';

/** The REST2 root under RT's web path. */
export const REST2 = '/REST/2.0';
/** RT's largest page. */
export const RT_PAGE_MAX = 100;
/** Ids per ticket search when reading tickets by id. */
const IDS_PER_SEARCH = 100;
/** Requests of one batch in flight at once (RT's standalone server answers one at a time). */
const CONCURRENCY = 4;
/** Users probed one by one when RT will not list the privileged group (no AdminGroupMembership). */
export const MAX_USERS_PROBED = 2_000;
/** How far before a cursor an incremental read starts, against clock skew; overlap is filtered out. */
const INCREMENTAL_OVERLAP_S = 120;
/** Transaction types read for the thread and the metrics. */
const HISTORY_TYPES = ['Create', 'Correspond', 'Comment', 'Status', 'Set', 'Give', 'Take', 'Steal', 'Untake', 'Force'];
const TRANSACTION_FIELDS = ['ObjectId', 'Type', 'Field', 'OldValue', 'NewValue', 'Created', 'Creator'];
const PART_FIELDS = ['TransactionId', 'ContentType', 'Content', 'Filename', 'Headers'];

export interface RtDeskOptions {
  /** Clock in ms since epoch (default Date.now). */
  now?: () => number;
}

/** An update_many item; the bulk executor adds safe_update and updated_stamp. */
type SafeItem = TicketUpdate & { id: number; safe_update?: boolean; updated_stamp?: string };

/** A ticket as read, with what the mapping leaves out. */
interface RtTicket {
  ticket: Ticket;
  rtStatus: string;
  requesterIds: number[];
  queueName: string;
}

/** One page of an RT collection. */
interface Page {
  items: RtBody[];
  /** More pages may follow. */
  more: boolean;
}

export class RtDesk implements HelpDesk {
  readonly kind: Connection['kind'] = 'rt';
  readonly connection: Connection;
  private readonly http: HttpClient;
  private readonly now: () => number;
  private readonly base: string;
  /** RT's clock minus ours, from the Date header of the last answer. */
  private skewMs = 0;
  /** Users seen in ticket and transaction blocks, and read by id. */
  private readonly users = new Map<number, User>();
  /** Ids of the users read by id, whose role is known. */
  private readonly usersRead = new Set<number>();
  private readonly jobs = new Map<string, JobStatus>();
  private mePromise: Promise<User> | undefined;
  private nobodyPromise: Promise<number | null> | undefined;
  private tagsPromise: Promise<boolean> | undefined;

  constructor(http: HttpClient, options: RtDeskOptions = {}) {
    this.http = http;
    this.connection = http.connection;
    this.now = options.now ?? Date.now;
    this.base = http.url(REST2).href.replace(/\/+$/, '');
  }

  rateLimit(): RateLimitState {
    return this.http.rateLimit();
  }

  // --- requests -------------------------------------------------------------------------

  private request<T = unknown>(req: HttpRequest<T>): Promise<T> {
    return this.http.request<T>({
      ...req,
      onAnswer: (answer) => {
        const date = answer.headers.date;
        const at = Date.parse(Array.isArray(date) ? date[0] ?? '' : date ?? '');
        if (!Number.isNaN(at)) this.skewMs = at - this.now();
        req.onAnswer?.(answer);
      },
    });
  }

  private get<T = unknown>(path: string, query?: Query, extra: Partial<HttpRequest<T>> = {}): Promise<T> {
    return this.request<T>({ ...extra, method: 'GET', path, query });
  }

  /** Now on RT's clock (ms). */
  private deskNow(): number {
    return this.now() + this.skewMs;
  }

  /**
   * Pages of an RT collection. RT leaves `total` out when it filters rows by rights after the
   * query (a page may then hold fewer items than asked); without it, paging stops at an empty page.
   */
  private async *pages(path: string, query: Query, options: { pageSize?: number; notFound?: string } = {}): AsyncGenerator<Page> {
    const perPage = clamp(options.pageSize ?? RT_PAGE_MAX, 1, RT_PAGE_MAX);
    for (let page = 1; ; page++) {
      const body = await this.get(path, { ...query, per_page: perPage, page }, { notFound: options.notFound });
      const items = itemsOf(body, `GET ${path.split('?')[0]}`);
      const b = body as RtBody;
      const pages = typeof b.pages === 'number' ? b.pages : null;
      const more = pages !== null ? page < pages : items.length > 0;
      yield { items, more };
      if (!more) return;
    }
  }

  private async all(path: string, query: Query, options: { notFound?: string } = {}): Promise<RtBody[]> {
    const out: RtBody[] = [];
    for await (const page of this.pages(path, query, options)) out.push(...page.items);
    return out;
  }

  // --- people ---------------------------------------------------------------------------

  async me(): Promise<User> {
    const who = this.ownLogin();
    const path = `${REST2}/user/${encodeURIComponent(who)}`;
    let body: unknown;
    try {
      body = await this.get(path, undefined, { notFound: `user ${who} not found` });
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new AuthError(`authentication failed for profile ${this.connection.profile}: Request Tracker has no user ${who}`);
      }
      throw err;
    }
    if (!isBody(body)) throw new ApiError(`Request Tracker sent no user for GET ${path}`);
    return this.learn(userFrom(body));
  }

  /** The login (or id) of the authenticated user: RT's auth token is "1-<user id>-<secret>". */
  private ownLogin(): string {
    const auth = this.connection.auth;
    switch (auth.type) {
      case 'rt-token':
      case 'bearer': {
        const m = /^\d+-(\d+)-[0-9a-f]+$/i.exec(auth.token);
        if (!m) {
          throw new AuthError(`the token of profile ${this.connection.profile} is not a Request Tracker auth token (1-<user id>-<secret>)`, {
            hint: 'create one in RT under Logged in as ... > Settings > Auth Tokens, then add the profile again',
          });
        }
        return m[1]!;
      }
      case 'basic-password':
        return auth.email;
      case 'basic-token':
        return auth.email;
    }
  }

  private cachedMe(): Promise<User> {
    this.mePromise ??= this.me().catch((err: unknown) => {
      this.mePromise = undefined;
      throw err;
    });
    return this.mePromise;
  }

  private nobodyId(): Promise<number | null> {
    this.nobodyPromise ??= this.get(`${REST2}/user/${NOBODY}`, undefined, { notFound: 'no Nobody user' })
      .then((body) => (isBody(body) ? recordId(body, 'user') : null))
      .catch(() => null);
    return this.nobodyPromise;
  }

  /** Users seen in ticket and transaction blocks (their role a guess: owners are agents). */
  private remember(users: Iterable<User>): void {
    for (const user of users) {
      if (this.usersRead.has(user.id)) continue;
      const known = this.users.get(user.id);
      this.users.set(user.id, known?.role === 'agent' ? { ...user, role: 'agent' } : user);
    }
  }

  /** A user read by id (its role known). */
  private learn(user: User): User {
    this.usersRead.add(user.id);
    this.users.set(user.id, user);
    return user;
  }

  async getUsers(ids: number[]): Promise<User[]> {
    const unique = [...new Set(ids.map((id) => positiveId(id, 'user id')))];
    const missing = unique.filter((id) => !this.users.has(id));
    await inBatches(missing, CONCURRENCY, async (id) => {
      try {
        const body = await this.get(`${REST2}/user/${id}`, undefined, { notFound: `user ${id} not found` });
        if (isBody(body)) this.learn(userFrom(body));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    });
    return unique.map((id) => this.users.get(id)).filter((u): u is User => u !== undefined);
  }

  /**
   * Users by role: agents are RT's privileged users, end-users the others; RT has no admin role,
   * so `admin` lists nobody (privileged admins are listed as agents).
   */
  async *listUsers(options: { role?: 'agent' | 'admin' | 'end-user' } = {}): AsyncIterable<User> {
    if (options.role === 'admin') return;
    if (options.role === 'agent') {
      const members = await this.privilegedMembers();
      if (members !== null) {
        for (const user of await this.getUsers(members)) yield { ...user, role: 'agent' };
        return;
      }
    }
    // Every user, each read by id to learn whether it is privileged (RT's list does not say).
    let probed = 0;
    for await (const page of this.pages(`${REST2}/users`, { query: '[]', fields: ['id', 'Name', 'EmailAddress', 'RealName', 'Disabled'], orderby: 'id' })) {
      const listed = page.items.flatMap((item) => (maybeId(item.id) === undefined ? [] : [userFrom(item)]));
      probed += listed.length;
      if (probed > MAX_USERS_PROBED) {
        throw new DeskopsError(`Request Tracker has more than ${MAX_USERS_PROBED} users and does not let this agent list the privileged ones`, {
          hint: 'grant the agent AdminGroupMembership (or SuperUser) so deskops can read the Privileged group',
        });
      }
      const known = await this.getUsersFresh(listed.map((u) => u.id));
      for (const user of known) if (options.role === undefined || (user.role === 'agent') === (options.role === 'agent')) yield user;
    }
  }

  /** Users read by id (their summary says whether they are privileged). */
  private async getUsersFresh(ids: number[]): Promise<User[]> {
    const out: User[] = ids.filter((id) => this.usersRead.has(id)).map((id) => this.users.get(id)!);
    await inBatches(ids.filter((id) => !this.usersRead.has(id)), CONCURRENCY, async (id) => {
      try {
        const body = await this.get(`${REST2}/user/${id}`, undefined, { notFound: `user ${id} not found` });
        if (isBody(body)) out.push(this.learn(userFrom(body)));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    });
    return out.sort((a, b) => a.id - b.id);
  }

  /** Ids of the members of RT's Privileged group, or null when this agent may not read them. */
  private async privilegedMembers(): Promise<number[] | null> {
    try {
      const groups = await this.get(`${REST2}/groups`, {
        query: JSON.stringify([
          { field: 'Name', value: 'Privileged' },
          { field: 'Domain', value: 'SystemInternal', entry_aggregator: 'AND' },
        ]),
      });
      const group = itemsOf(groups, 'GET /groups')[0];
      const groupId = group ? maybeId(group.id) : undefined;
      if (groupId === undefined) return null;
      const members = await this.all(`${REST2}/group/${groupId}/members`, { groups: 0, recursively: 1 });
      return members.flatMap((m) => {
        const id = maybeId(m.id);
        return id === undefined ? [] : [id];
      });
    } catch (err) {
      if (err instanceof AuthError || err instanceof PermissionError || err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async listGroups(): Promise<Group[]> {
    const items = await this.all(`${REST2}/queues/all`, { fields: ['Name', 'Description', 'Created', 'LastUpdated'] });
    return items.map(groupFrom);
  }

  /**
   * RT has no organizations, so there are none to list (the KPI churn report then says it has
   * no customers and asks for a customers CSV).
   */
  async *listOrganizations(): AsyncIterable<Organization> {
    // nothing: Request Tracker has no organizations
  }

  /** RT has no organizations: no ticket names one, so every id is missing. */
  async getOrganizations(ids: number[]): Promise<Organization[]> {
    for (const id of ids) positiveId(id, 'organization id');
    return [];
  }

  async listTicketFields(): Promise<TicketField[]> {
    const items = await this.all(`${REST2}/customfields`, {
      query: JSON.stringify([{ field: 'LookupType', value: 'RT::Queue-RT::Ticket' }]),
      fields: ['Name', 'Description', 'Type', 'MaxValues', 'Disabled'],
      find_disabled_rows: 1,
    });
    return items.map((cf) => {
      const name = typeof cf.Name === 'string' ? cf.Name : '';
      const type = typeof cf.Type === 'string' ? cf.Type.toLowerCase() : 'text';
      const single = cf.MaxValues === 1 || cf.MaxValues === '1';
      const field: TicketField = {
        id: recordId(cf, 'custom field'),
        title: name,
        type: type === 'select' ? (single ? 'tagger' : 'multiselect') : type === 'freeform' ? 'text' : type,
        key: name,
        active: !(cf.Disabled === 1 || cf.Disabled === '1'),
      };
      if (typeof cf.Description === 'string' && cf.Description !== '') field.description = cf.Description;
      return field;
    });
  }

  /** RT has no satisfaction ratings. */
  async *listSatisfactionRatings(): AsyncIterable<SatisfactionRating> {
    throw new NotFoundError('Request Tracker has no satisfaction ratings', {
      hint: 'CSAT then counts csat_N tags only (the Tags custom field)',
    });
  }

  /** Whether RT has the Tags custom field for tickets (asked once). */
  private hasTagsField(): Promise<boolean> {
    this.tagsPromise ??= this.get(`${REST2}/customfields`, {
      query: JSON.stringify([
        { field: 'Name', value: TAGS_FIELD },
        { field: 'LookupType', value: 'RT::Queue-RT::Ticket', entry_aggregator: 'AND' },
      ]),
    })
      .then((body) => itemsOf(body, 'GET /customfields').length > 0)
      .catch((err: unknown) => {
        this.tagsPromise = undefined;
        throw err;
      });
    return this.tagsPromise;
  }

  private async needTags(what: string): Promise<void> {
    if (await this.hasTagsField()) return;
    throw new DeskopsError(`Request Tracker has no tags, so deskops cannot ${what}`, {
      hint: `an RT admin can add a multi-value ticket custom field named "${TAGS_FIELD}"; deskops reads and writes tags there`,
    });
  }

  // --- tickets: reading -----------------------------------------------------------------

  /** Query of a ticket search with the fields and user blocks the mapping reads. */
  private ticketSearch(sql: string, extra: Query = {}): Query {
    return {
      query: sql,
      fields: TICKET_FIELDS,
      'fields[Owner]': USER_FIELDS,
      'fields[Requestor]': USER_FIELDS,
      'fields[Creator]': USER_FIELDS,
      'fields[Queue]': 'Name',
      ...extra,
    };
  }

  private readTicket(item: RtBody): RtTicket {
    const ticket = ticketFrom(item, this.base);
    const people = ticketPeople(item);
    this.remember(people.map((p) => p.user));
    const requesterIds = (Array.isArray(item.Requestor) ? item.Requestor : []).flatMap((r) => {
      const id = isBody(r) ? maybeId(r.id) : undefined;
      return id === undefined ? [] : [id];
    });
    const queue = isBody(item.Queue) && typeof item.Queue.Name === 'string' ? item.Queue.Name : '';
    return { ticket, rtStatus: typeof item.Status === 'string' ? item.Status : '', requesterIds, queueName: queue };
  }

  /** Tickets matching TicketSQL, page by page, in the given order (deduplicated by id). */
  private async *ticketPages(sql: string, order: Array<[string, 'ASC' | 'DESC']>, pageSize?: number): AsyncGenerator<RtTicket[]> {
    const seen = new Set<number>();
    const path = `${REST2}/tickets?${order.map(([f, o]) => `orderby=${encodeURIComponent(f)}&order=${o}`).join('&')}`;
    for await (const page of this.pages(path, this.ticketSearch(sql), { pageSize })) {
      const tickets = page.items.map((item) => this.readTicket(item)).filter((t) => !seen.has(t.ticket.id) && seen.add(t.ticket.id));
      yield tickets;
    }
  }

  async *listTickets(options: TicketListOptions = {}): AsyncIterable<Ticket> {
    const sort = options.sort ?? 'id';
    const desc = sort.startsWith('-');
    const field = { id: 'id', updated_at: 'LastUpdated', created_at: 'Created' }[sort.replace(/^-/, '') as 'id' | 'updated_at' | 'created_at'];
    const order: Array<[string, 'ASC' | 'DESC']> = [[field, desc ? 'DESC' : 'ASC']];
    if (field !== 'id') order.push(['id', desc ? 'DESC' : 'ASC']);
    for await (const page of this.ticketPages(ALL_TICKETS, order, options.pageSize)) for (const t of page) yield t.ticket;
  }

  /** TicketSQL for a deskops query; checks the Tags field when the query names tags. */
  private async translate(query: string): Promise<ReturnType<typeof toTicketSql>> {
    const sql = toTicketSql(query, { now: this.deskNow() });
    if (sql.usesTags) await this.needTags('search by tag');
    return sql;
  }

  /** Search. RT has no 1,000-result cap, so onCapped is never called. */
  async *searchTickets(query: string, options: SearchOptions = {}): AsyncIterable<Ticket> {
    const limit = options.limit;
    if (limit !== undefined && limit <= 0) return;
    const sql = await this.translate(query);
    const sortBy = options.sortBy ?? sql.sortBy;
    const dir = (options.sortOrder ?? sql.sortOrder ?? (sortBy ? 'desc' : 'asc')) === 'desc' ? 'DESC' : 'ASC';
    const column: Record<string, string> = {
      updated_at: 'LastUpdated',
      created_at: 'Created',
      priority: 'Priority',
      status: 'Status',
      ticket_type: 'Type',
    };
    const order: Array<[string, 'ASC' | 'DESC']> = sortBy ? [[column[sortBy] ?? 'id', dir], ['id', dir]] : [['id', 'ASC']];
    let returned = 0;
    const pageSize = limit !== undefined ? Math.min(RT_PAGE_MAX, limit) : RT_PAGE_MAX;
    for await (const page of this.ticketPages(sql.query, order, pageSize)) {
      for (const t of page) {
        yield t.ticket;
        returned++;
        if (limit !== undefined && returned >= limit) return;
      }
    }
  }

  async *exportSearchTickets(query: string, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    const sql = await this.translate(query);
    for await (const page of this.ticketPages(sql.query, [['id', 'ASC']], options.pageSize)) for (const t of page) yield t.ticket;
  }

  /** One ticket by id (RT's search never returns a deleted ticket, as Zendesk 404s one). */
  private async findTicket(id: number): Promise<RtTicket> {
    for await (const page of this.ticketPages(`id = ${ticketId(id)}`, [['id', 'ASC']], 1)) {
      const found = page.find((t) => t.ticket.id === id);
      if (found) return found;
      break;
    }
    throw new NotFoundError(`ticket ${id} not found`);
  }

  /** Tickets by id, IDS_PER_SEARCH a search. */
  private async findTickets(ids: number[]): Promise<RtTicket[]> {
    const unique = [...new Set(ids.map(ticketId))];
    const out: RtTicket[] = [];
    for (const chunk of chunks(unique, IDS_PER_SEARCH)) {
      for await (const page of this.ticketPages(chunk.map((id) => `id = ${id}`).join(' OR '), [['id', 'ASC']])) out.push(...page);
    }
    return out;
  }

  async getTicket(id: number, options: ShowOptions = {}): Promise<Ticket> {
    const [found, first] = await allSettledOrThrow([this.findTicket(id), this.firstMessage(id)] as const);
    const ticket = withFirstMessage(found.ticket, first);
    if (!options.include?.includes('metric_sets')) return ticket;
    const history = await this.history(id);
    return { ...ticket, metric_set: this.metricsOf(found, history, await this.nobodyId()) };
  }

  async getTickets(ids: number[], options: ShowManyOptions = {}): Promise<Ticket[]> {
    const found = await this.findTickets(ids);
    if (!options.include?.includes('metric_sets') || found.length === 0) return found.map((t) => t.ticket);
    const [history, nobody] = await Promise.all([this.historyOf(found.map((t) => t.ticket.id)), this.nobodyId()]);
    return found.map((t) => ({ ...t.ticket, metric_set: this.metricsOf(t, history.get(t.ticket.id) ?? [], nobody) }));
  }

  async getTicketDetail(id: number): Promise<TicketDetail> {
    const notFound = `ticket ${id} not found`;
    const [found, history, parts, nobody] = await allSettledOrThrow([
      this.findTicket(id),
      this.history(id, true),
      this.textParts(`${REST2}/ticket/${ticketId(id)}/attachments`, notFound),
      this.nobodyId(),
    ] as const);
    const comments = commentsFrom(history, parts);
    const ticket = withFirstMessage(found.ticket, firstOf(history, parts));
    const metrics = this.metricsOf(found, history, nobody);
    const wanted = new Set<number>([ticket.requester_id, ...(ticket.assignee_id ? [ticket.assignee_id] : []), ...comments.map((c) => c.author_id)]);
    if (ticket.submitter_id) wanted.add(ticket.submitter_id);
    wanted.delete(0);
    const users = await this.getUsers([...wanted]);
    const groups: Group[] = ticket.group_id !== null ? [{ id: ticket.group_id, name: found.queueName }] : [];
    return { ticket, comments, users, groups, organizations: [], metrics };
  }

  async *listComments(ticket: number): AsyncIterable<Comment> {
    const notFound = `ticket ${ticket} not found`;
    const [history, parts] = await allSettledOrThrow([
      this.history(ticket, true),
      this.textParts(`${REST2}/ticket/${ticketId(ticket)}/attachments`, notFound),
    ] as const);
    if (history.length === 0) await this.findTicket(ticket); // NotFoundError for a ticket that is not there
    yield* commentsFrom(history, parts);
  }

  async getTicketMetrics(ticket: number): Promise<TicketMetric | null> {
    const [found, history, nobody] = await allSettledOrThrow([this.findTicket(ticket), this.history(ticket), this.nobodyId()] as const);
    return this.metricsOf(found, history, nobody);
  }

  private metricsOf(t: RtTicket, history: readonly RtTransaction[], nobodyId: number | null): TicketMetric {
    return computeMetrics({ ticket: t.ticket, rtStatus: t.rtStatus, requesterIds: t.requesterIds, nobodyId, transactions: history, now: this.deskNow() });
  }

  /** A ticket's transactions of HISTORY_TYPES; with `people`, their creators are remembered as users. */
  private async history(id: number, people = false): Promise<RtTransaction[]> {
    const items = await this.all(
      `${REST2}/ticket/${ticketId(id)}/history?orderby=id&order=ASC`,
      { fields: TRANSACTION_FIELDS.filter((f) => f !== 'ObjectId'), 'fields[Creator]': USER_FIELDS },
      { notFound: `ticket ${id} not found` },
    );
    if (people) this.remember(items.flatMap((i) => (isBody(i.Creator) && maybeId(i.Creator.id) !== undefined ? [userFrom(i.Creator)] : [])));
    return items.map((i) => transactionFrom(i, id)).filter((t) => HISTORY_TYPES.includes(t.type));
  }

  /** The transactions of many tickets (TransactionSQL, IDS_PER_SEARCH tickets a query), by ticket. */
  private async historyOf(ids: number[]): Promise<Map<number, RtTransaction[]>> {
    const byTicket = new Map<number, RtTransaction[]>();
    const types = `(${HISTORY_TYPES.map((t) => `Type = ${sqlString(t)}`).join(' OR ')})`;
    for (const chunk of chunks(ids, IDS_PER_SEARCH)) {
      const sql = `ObjectType = 'RT::Ticket' AND (${chunk.map((id) => `ObjectId = ${id}`).join(' OR ')}) AND ${types}`;
      const items = await this.all(`${REST2}/transactions?orderby=id&order=ASC`, { query: sql, fields: TRANSACTION_FIELDS, 'fields[Creator]': 'id' });
      for (const item of items) {
        const txn = transactionFrom(item);
        byTicket.set(txn.ticketId, [...(byTicket.get(txn.ticketId) ?? []), txn]);
      }
    }
    return byTicket;
  }

  /** Text parts (text/*) of a collection of attachments. */
  private async textParts(path: string, notFound?: string, query: RtBody[] = []): Promise<RtPart[]> {
    const items = await this.all(
      path,
      { query: JSON.stringify([{ field: 'ContentType', operator: 'LIKE', value: 'text/' }, ...query]), fields: PART_FIELDS },
      { notFound },
    );
    return items.flatMap((i) => {
      const part = partFrom(i);
      return part ? [part] : [];
    });
  }

  /** The ticket's first message (its Create transaction's text), for description and via. */
  private async firstMessage(id: number): Promise<{ body: string; channel: string } | null> {
    const first = await this.get(`${REST2}/ticket/${ticketId(id)}/history?orderby=id&order=ASC`, { per_page: 1, fields: 'Type' }, {
      notFound: `ticket ${id} not found`,
    });
    const txn = itemsOf(first, 'GET /ticket/history')[0];
    const txnId = txn && txn.Type === 'Create' ? maybeId(txn.id) : undefined;
    if (txnId === undefined) return null;
    const parts = await this.textParts(`${REST2}/transaction/${txnId}/attachments`);
    return { body: messageBody(parts).body, channel: channelFromInterface(messageInterface(parts)) };
  }

  // --- incremental export ---------------------------------------------------------------

  /**
   * Tickets changed since a time or a cursor, oldest change first, with metrics. Emulated:
   * TicketSQL `LastUpdated >= ...` ordered by LastUpdated then id, resumed by a cursor that
   * holds the last ticket's LastUpdated and id. Deleted tickets never show (RT's search hides them).
   */
  async *incrementalTickets(from: { startTime: number } | { cursor: string }, options: { pageSize?: number } = {}): AsyncIterable<IncrementalTicketPage> {
    const pageSize = clamp(options.pageSize ?? RT_PAGE_MAX, 1, RT_PAGE_MAX);
    let position = 'startTime' in from ? { t: Math.max(0, Math.floor(from.startTime)), id: 0 } : parseCursor(from.cursor);
    const nobody = await this.nobodyId();
    for (;;) {
      const nowS = Math.floor(this.deskNow() / 1000);
      const sql = position.t > 0 ? `LastUpdated >= ${rtInstant(position.t - INCREMENTAL_OVERLAP_S, nowS)}` : ALL_TICKETS;
      const fresh: RtTicket[] = [];
      let exhausted = true;
      for await (const page of this.ticketPages(sql, [['LastUpdated', 'ASC'], ['id', 'ASC']], pageSize)) {
        for (const t of page) {
          const at = Math.floor(Date.parse(t.ticket.updated_at) / 1000);
          if (at > position.t || (at === position.t && t.ticket.id > position.id)) fresh.push(t);
        }
        if (fresh.length >= pageSize) {
          exhausted = false;
          break;
        }
      }
      // Page order is by LastUpdated then id; the overlap may have added earlier ones out of line.
      fresh.sort((a, b) => Date.parse(a.ticket.updated_at) - Date.parse(b.ticket.updated_at) || a.ticket.id - b.ticket.id);
      const batch = fresh.slice(0, pageSize);
      if (batch.length < fresh.length) exhausted = false;
      const last = batch[batch.length - 1];
      if (last) position = { t: Math.floor(Date.parse(last.ticket.updated_at) / 1000), id: last.ticket.id };
      const history = batch.length > 0 ? await this.historyOf(batch.map((t) => t.ticket.id)) : new Map<number, RtTransaction[]>();
      const firsts = batch.length > 0 ? await this.firstMessages(history) : new Map<number, { body: string; channel: string }>();
      yield {
        tickets: batch.map((t) => withFirstMessage(t.ticket, firsts.get(t.ticket.id) ?? null)),
        metric_sets: batch.map((t) => this.metricsOf(t, history.get(t.ticket.id) ?? [], nobody)),
        after_cursor: formatCursor(position),
        end_of_stream: exhausted,
      };
      if (exhausted) return;
    }
  }

  /** First messages of many tickets: the text parts of their Create transactions, 100 a request. */
  private async firstMessages(history: Map<number, RtTransaction[]>): Promise<Map<number, { body: string; channel: string }>> {
    const out = new Map<number, { body: string; channel: string }>();
    const creates = new Map<number, number>(); // transaction -> ticket
    for (const [ticket, txns] of history) {
      const create = txns.find((t) => t.type === 'Create');
      if (create) creates.set(create.id, ticket);
    }
    for (const chunk of chunks([...creates.keys()], IDS_PER_SEARCH)) {
      const parts = await this.textParts(`${REST2}/attachments`, undefined, chunk.map((txn) => ({ field: 'TransactionId', value: txn })));
      const byTxn = new Map<number, RtPart[]>();
      for (const p of parts) byTxn.set(p.transactionId, [...(byTxn.get(p.transactionId) ?? []), p]);
      for (const txn of chunk) {
        const own = byTxn.get(txn);
        if (own) out.set(creates.get(txn)!, { body: messageBody(own).body, channel: channelFromInterface(messageInterface(own)) });
      }
    }
    return out;
  }

  // --- tickets: writing -----------------------------------------------------------------

  async createTicket(create: TicketCreate, _options: { idempotencyKey?: string } = {}): Promise<Ticket> {
    const queue = create.group_id ?? (await this.defaultQueue());
    // RT makes an unknown requester a user, with the name of an address like "Name" <email>.
    const requestor = create.requester
      ? create.requester.name.trim()
        ? `"${create.requester.name.replace(/["\\\r\n]/g, '').trim()}" <${create.requester.email}>`
        : create.requester.email
      : create.requester_id !== undefined
        ? await this.loginOf(create.requester_id)
        : undefined;
    const tags = create.tags ?? [];
    if (tags.length > 0) await this.needTags('tag a ticket');
    const isPublic = create.comment.public !== false;
    const payload: RtBody = {
      Queue: queue,
      Subject: create.subject,
      ...(requestor ? { Requestor: requestor } : {}),
      ...(isPublic ? { Content: create.comment.body, ContentType: 'text/plain' } : {}),
      ...(create.priority !== undefined ? { Priority: priorityToRt(create.priority) } : {}),
      ...(create.assignee_id ? { Owner: create.assignee_id } : {}),
      ...(create.status ? { Status: statusToRt(create.status) } : {}),
      ...customFieldsPayload(create.custom_fields, tags.length > 0 ? tags : undefined),
    };
    // RT has no idempotency keys: a create whose answer is lost is never sent again.
    const body = await this.request({ method: 'POST', path: `${REST2}/ticket`, json: payload, retry: 'unsafe' });
    const id = isBody(body) ? maybeId(body.id) : undefined;
    if (id === undefined) throw new ApiError(`Request Tracker did not create the ticket: ${messagesOf(body) || 'no id in its answer'}`);
    if (!isPublic) {
      await this.request({ method: 'POST', path: `${REST2}/ticket/${id}/comment`, json: { Content: create.comment.body, ContentType: 'text/plain' }, retry: 'unsafe' });
    }
    return this.getTicket(id);
  }

  private async defaultQueue(): Promise<number> {
    const groups = await this.listGroups();
    const general = groups.find((g) => g.name === 'General') ?? groups[0];
    if (!general) throw new ApiError('Request Tracker shows this agent no queue to create the ticket in');
    return general.id;
  }

  private async loginOf(userId: number): Promise<string | undefined> {
    const [user] = await this.getUsers([userId]);
    return user?.email || undefined;
  }

  /**
   * Update one ticket. With `ifUnmodifiedSince` (the updated_at the caller saw) it is a safe
   * update: a ticket changed since then is a ConflictError (see applyUpdate for what RT allows).
   * The ticket is then read back; a change RT did not make is an ApiError with RT's messages.
   */
  async updateTicket(id: number, update: TicketUpdate, options: { ifUnmodifiedSince?: string } = {}): Promise<Ticket> {
    await this.applyUpdate(id, update, options.ifUnmodifiedSince);
    return this.getTicket(id);
  }

  /**
   * One ticket's update in as few REST2 calls as RT allows, ordered so that the tags (and so a
   * sweep's marker tag) are stored only once the message is:
   *
   * 1. GET /ticket/:id for its LastUpdated, tags and ETag (RT's ETag is the id of the ticket's
   *    last transaction). With `since`, a LastUpdated other than `since` is a ConflictError.
   * 2. PUT /ticket/:id with the fields a message cannot carry (subject, priority, owner, queue,
   *    custom fields other than Tags), with If-Match: a change since step 1 answers 412, a
   *    ConflictError. Without a message, the tags and the status go here too.
   * 3. With a message: one POST /ticket/:id/correspond (or comment) carrying the text, the Tags
   *    custom field and the status. RT records the message first and changes the Tags field
   *    and the status only after it succeeded, in the same request; a retry after a lost answer
   *    looks for the message first, so it is never posted twice.
   *
   * What this guarantees: the marker tag is on the ticket only if the message is; a message is
   * never posted on a ticket that changed before step 1 or (when step 2 runs) before step 2.
   * What RT does not allow: its message endpoint takes no If-Match, so a change made between
   * the last check and the POST (a few milliseconds) is not detected; LastUpdated has
   * one-second resolution. When the message landed but the tags did not, the tags are written
   * again; if that fails too the error says the message was posted, and a bulk item is then
   * reported failed without being sent again (see updateMany).
   */
  private async applyUpdate(id: number, update: TicketUpdate, since?: string): Promise<RtTicket> {
    ticketId(id);
    const notFound = `ticket ${id} not found`;
    const conflict = `ticket ${id} was changed on the desk${since ? ` since ${since}` : ''}; reload it and try again`;
    const tagsChange = update.tags !== undefined || (update.additional_tags?.length ?? 0) > 0 || (update.remove_tags?.length ?? 0) > 0;
    if (tagsChange) await this.needTags('change tags');

    // The ticket as it is now (LastUpdated, tags) and its ETag, for a safe update or a tag change.
    let etag: string | undefined;
    let current: Ticket | undefined;
    if (since !== undefined || tagsChange) {
      const body = await this.get(`${REST2}/ticket/${id}`, undefined, {
        notFound,
        onAnswer: ({ headers }) => {
          const value = headers.etag;
          etag = Array.isArray(value) ? value[0] : value;
        },
      });
      if (!isBody(body)) throw new ApiError(`Request Tracker sent no ticket for GET ${REST2}/ticket/${id}`);
      current = ticketFrom(body, this.base);
      if (since !== undefined && !sameInstant(current.updated_at, since)) throw new ConflictError(conflict);
      if (since === undefined) etag = undefined;
    }

    const fields: RtBody = {};
    if (update.subject !== undefined) fields.Subject = update.subject;
    if (update.priority !== undefined) fields.Priority = priorityToRt(update.priority);
    if (update.assignee_id !== undefined) fields.Owner = update.assignee_id === null ? NOBODY : update.assignee_id;
    if (update.group_id !== undefined) {
      if (update.group_id === null) throw new UsageError('every Request Tracker ticket is in a queue; give a group to move it to');
      fields.Queue = update.group_id;
    }
    Object.assign(fields, customFieldsPayload(update.custom_fields, undefined));
    const tags = tagsChange ? nextTags(current!.tags, update) : undefined;
    const status = update.status !== undefined ? statusToRt(update.status) : undefined;
    // Without a message, everything goes in the one PUT; with one, tags and status ride on it.
    if (!update.comment) {
      if (tags !== undefined) mergeCustomFields(fields, customFieldsPayload(undefined, tags));
      if (status !== undefined) fields.Status = status;
    }
    /** Everything asked for, for the read back. */
    const asked: RtBody = { ...fields };
    if (update.comment && tags !== undefined) mergeCustomFields(asked, customFieldsPayload(undefined, tags));

    const messages: string[] = [];
    if (Object.keys(fields).length > 0) {
      const answer = await this.request<unknown>({
        method: 'PUT',
        path: `${REST2}/ticket/${id}`,
        json: fields,
        headers: etag ? { 'If-Match': etag } : undefined,
        // Setting values again is harmless, but with If-Match a resent PUT would conflict
        // with itself: after a lost answer, read the ticket back instead.
        retry: etag ? 'verify' : 'idempotent',
        verify: etag
          ? async () => ((await this.readBack(id, update, fields, fields.Status !== undefined)).missing.length === 0 ? [] : undefined)
          : undefined,
        notFound,
        conflict,
      });
      messages.push(...messageList(answer));
    }

    let posted = false;
    if (update.comment) {
      const kind = update.comment.public ? 'correspond' : 'comment';
      const body = update.comment.body;
      const answer = await this.request<unknown>({
        method: 'POST',
        path: `${REST2}/ticket/${id}/${kind}`,
        json: {
          Content: body,
          ContentType: 'text/plain',
          ...(status !== undefined ? { Status: status } : {}),
          ...(tags !== undefined ? customFieldsPayload(undefined, tags) : {}),
        },
        // Posting twice would add the message twice: after a lost answer, look for it first.
        retry: 'verify',
        verify: async (context) => {
          const me = await this.cachedMe();
          const comments: Comment[] = [];
          for await (const c of this.listComments(id)) comments.push(c);
          return findAppliedComment(comments, { body, authorId: me.id }, context.startedAt, context.slackMs) ? [] : undefined;
        },
        notFound,
      });
      posted = true;
      messages.push(...messageList(answer));
    }

    let { missing, ticket } = await this.readBack(id, update, asked);
    if (posted && tags !== undefined && missing.includes('tags')) {
      // The message is there but the Tags field did not take: write the tags again on their own.
      const answer = await this.request<unknown>({
        method: 'PUT',
        path: `${REST2}/ticket/${id}`,
        json: customFieldsPayload(undefined, tags),
        retry: 'idempotent',
        notFound,
      });
      messages.push(...messageList(answer));
      ({ missing, ticket } = await this.readBack(id, update, asked));
    }
    if (missing.length > 0) {
      const said = relevantMessages(messages, missing, update);
      const what = posted ? `the ${update.comment!.public ? 'reply' : 'note'} was posted, but Request Tracker did not apply` : 'Request Tracker did not apply';
      const text = `${posted ? `ticket ${id}: ` : ''}${what} ${missing.join(', ')}${posted ? '' : ` to ticket ${id}`}${said ? `: ${said}` : ''}`;
      const hint = "check the agent's rights on the queue and the queue's lifecycle in RT";
      throw posted && missing.includes('tags') ? new PostedUntaggedError(text, { hint }) : new ApiError(text, { hint });
    }
    return ticket;
  }

  /** The ticket read back, and the requested changes it does not show. */
  private async readBack(id: number, update: TicketUpdate, fields: RtBody, checkStatus = true): Promise<{ missing: string[]; ticket: RtTicket }> {
    const t = await this.findTicket(id);
    const ticket = t.ticket;
    const missing: string[] = [];
    if (checkStatus && update.status !== undefined && t.rtStatus !== statusToRt(update.status)) missing.push(`status ${update.status}`);
    if (update.priority !== undefined && ticket.priority !== priorityFromRt(priorityToRt(update.priority))) missing.push(`priority ${update.priority}`);
    if (update.assignee_id !== undefined && ticket.assignee_id !== update.assignee_id) missing.push(`assignee ${update.assignee_id ?? 'none'}`);
    if (update.group_id !== undefined && ticket.group_id !== update.group_id) missing.push(`group ${update.group_id}`);
    if (update.subject !== undefined && ticket.subject !== update.subject) missing.push('subject');
    const cf = isBody(fields.CustomFields) ? fields.CustomFields : {};
    if (Array.isArray(cf[TAGS_FIELD])) {
      const wanted = new Set((cf[TAGS_FIELD] as string[]).map((x) => x.toLowerCase()));
      const have = new Set(ticket.tags.map((x) => x.toLowerCase()));
      if (wanted.size !== have.size || [...wanted].some((x) => !have.has(x))) missing.push('tags');
    }
    for (const f of update.custom_fields ?? []) {
      const have = ticket.custom_fields.find((c) => c.id === f.id)?.value ?? null;
      const want = f.value === null || f.value === '' ? null : String(f.value);
      if ((have === null ? null : String(have)) !== want) missing.push(`custom field ${f.id}`);
    }
    return { missing, ticket: t };
  }

  /**
   * update_many emulated: RT has no job queue, so each ticket is updated in turn (failures do
   * not stop the others) and a completed job with one result per ticket is returned at once.
   * An item with `safe_update: true` and `updated_stamp` (as the bulk executor sends) is a safe
   * update against that stamp: a ticket changed since is a result with error "Conflict".
   */
  async updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    const items: Array<SafeItem> =
      'ids' in bulk ? [...new Set(bulk.ids.map(ticketId))].map((id) => ({ ...bulk.update, id })) : bulk.tickets;
    for (const t of items) ticketId(t.id);
    if (items.length === 0) throw new UsageError('no tickets to update');
    if (items.length > RT_PAGE_MAX) {
      throw new UsageError(`update_many takes at most ${RT_PAGE_MAX} tickets at once; got ${items.length}`, { hint: 'split the tickets into batches of 100' });
    }
    const results: JobStatusResult[] = [];
    for (const [index, item] of items.entries()) {
      const { id, safe_update: safe, updated_stamp: stamp, ...update } = item;
      try {
        if (safe === true && typeof stamp !== 'string') throw new UsageError(`ticket ${id}: a safe update needs updated_stamp`);
        await this.applyUpdate(id, update, safe === true ? stamp : undefined);
        results.push({ id, index, action: 'update', success: true, status: 'Updated' });
      } catch (err) {
        results.push({
          id,
          index,
          action: 'update',
          success: false,
          status: 'Failed',
          error:
            err instanceof NotFoundError
              ? 'TicketNotFound'
              : err instanceof ConflictError
                ? 'Conflict'
                : err instanceof PostedUntaggedError
                  ? 'AppliedWithoutMarker'
                  : 'UpdateFailed',
          details: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const failed = results.filter((r) => !r.success).length;
    const job: JobStatus = {
      id: `rt-${randomUUID()}`,
      status: 'completed',
      job_type: 'bulk_update',
      total: items.length,
      progress: items.length,
      message: `Completed at ${new Date(this.now()).toISOString()}${failed > 0 ? `; ${failed} of ${items.length} failed` : ''}`,
      results,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  async getJobStatus(id: string): Promise<JobStatus> {
    const job = this.jobs.get(id);
    if (!job) {
      throw new NotFoundError(`job ${id} not found`, {
        hint: 'Request Tracker has no job queue: deskops keeps the result of a bulk update only while the command runs',
      });
    }
    return job;
  }

  /** Jobs are done when updateMany returns. */
  async waitForJob(id: string): Promise<JobStatus> {
    return this.getJobStatus(id);
  }
}

/**
 * A message that RT posted while the tags of the same update (a sweep's marker among them) did
 * not take, even when written again: sending the update again would post the message twice.
 */
export class PostedUntaggedError extends ApiError {}

// --- helpers ------------------------------------------------------------------------------

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.floor(n)));
}

function positiveId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`not a ${what}: ${String(id)}`);
  return id;
}

function ticketId(id: number): number {
  return positiveId(id, 'ticket id');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function itemsOf(body: unknown, where: string): RtBody[] {
  if (!isBody(body) || !Array.isArray(body.items)) throw new ApiError(`Request Tracker's answer to ${where} has no items list`);
  return body.items.filter(isBody);
}

/** Runs fn over items, `limit` at a time; waits for all, then throws the first failure. */
async function inBatches<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

async function allSettledOrThrow<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

function withFirstMessage(ticket: Ticket, first: { body: string; channel: string } | null): Ticket {
  return first ? { ...ticket, description: first.body, via: { channel: first.channel } } : ticket;
}

/** The first message of a ticket from its history and text parts. */
function firstOf(history: readonly RtTransaction[], parts: readonly RtPart[]): { body: string; channel: string } | null {
  const create = history.find((t) => t.type === 'Create');
  if (!create) return null;
  const own = parts.filter((p) => p.transactionId === create.id);
  return { body: messageBody(own).body, channel: channelFromInterface(messageInterface(own)) };
}

/** RT's answer to a write: a list of messages (or {message}). */
function messageList(answer: unknown): string[] {
  if (Array.isArray(answer)) return answer.flatMap((m) => (typeof m === 'string' ? [m] : Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : []));
  if (isBody(answer) && typeof answer.message === 'string') return [answer.message];
  return [];
}

function messagesOf(answer: unknown): string {
  return messageList(answer).join('; ');
}

/** RT words for each kind of change deskops names. */
const CHANGE_WORDS: Record<string, string[]> = {
  status: ['status'],
  priority: ['priority'],
  assignee: ['owner', 'own '],
  group: ['queue'],
  subject: ['subject'],
  tags: [TAGS_FIELD.toLowerCase()],
  custom: ['custom field'],
};

/**
 * RT's messages about the changes that did not take: those naming them, else all but the ones
 * about changes that did take (RT does not say which of its messages are failures).
 */
function relevantMessages(messages: readonly string[], missing: readonly string[], update: TicketUpdate): string {
  const kind = (name: string) => name.split(' ')[0]!.toLowerCase();
  const words = (kinds: string[]) => kinds.flatMap((k) => CHANGE_WORDS[k] ?? [k]);
  const mentions = (m: string, list: string[]) => list.some((w) => m.toLowerCase().includes(w));
  const failed = words(missing.map(kind));
  const named = messages.filter((m) => mentions(m, failed));
  if (named.length > 0) return [...new Set(named)].join('; ');
  const requested = [
    update.status !== undefined ? 'status' : '',
    update.priority !== undefined ? 'priority' : '',
    update.assignee_id !== undefined ? 'assignee' : '',
    update.group_id !== undefined ? 'group' : '',
    update.subject !== undefined ? 'subject' : '',
  ].filter((k) => k !== '' && !missing.map(kind).includes(k));
  const applied = words(requested);
  // RT's word that the message itself was added is no reason for a failure.
  const rest = messages.filter((m) => !mentions(m, applied) && !/^(correspondence|comments?) added$/i.test(m.trim()));
  return [...new Set(rest.length > 0 ? rest : messages)].join('; ');
}

/** The CustomFields of a create or update payload: custom fields by id, tags in the Tags field. */
function customFieldsPayload(fields: readonly CustomFieldValue[] | undefined, tags: readonly string[] | undefined): RtBody {
  const out: RtBody = {};
  for (const f of fields ?? []) out[String(positiveId(f.id, 'custom field id'))] = f.value === null ? null : String(f.value);
  if (tags !== undefined) out[TAGS_FIELD] = [...tags];
  return Object.keys(out).length > 0 ? { CustomFields: out } : {};
}

/** Adds the CustomFields of `more` to those of `into`. */
function mergeCustomFields(into: RtBody, more: RtBody): void {
  if (!isBody(more.CustomFields)) return;
  into.CustomFields = { ...(isBody(into.CustomFields) ? into.CustomFields : {}), ...more.CustomFields };
}

/** The tags after an update: `tags` replaces them; additional_tags and remove_tags change them. */
function nextTags(current: readonly string[], update: TicketUpdate): string[] {
  let tags = update.tags !== undefined ? [...update.tags] : [...current];
  for (const t of update.additional_tags ?? []) if (!tags.includes(t)) tags.push(t);
  tags = tags.filter((t) => !(update.remove_tags ?? []).includes(t));
  return tags;
}

/** Cursor of the emulated incremental export: "rt1.<unix seconds>.<ticket id>". */
function formatCursor(position: { t: number; id: number }): string {
  return `rt1.${position.t}.${position.id}`;
}

function parseCursor(cursor: string): { t: number; id: number } {
  const m = /^rt1\.(\d+)\.(\d+)$/.exec(cursor.trim());
  if (!m) {
    // As Zendesk answers a cursor it does not know: 400 (the KPI cache then reads from the start).
    throw new ApiError(`not a Request Tracker export cursor: ${JSON.stringify(cursor)}`, { status: 400 });
  }
  return { t: Number(m[1]), id: Number(m[2]) };
}
