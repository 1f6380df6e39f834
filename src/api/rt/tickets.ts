/**
 * Reading Request Tracker tickets: TicketSQL searches with the fields the mapping reads, a
 * ticket's transactions (its thread and its metrics) and text parts (its messages).
 */
import { NotFoundError } from '../../core/errors.js';
import type { ShowManyOptions, ShowOptions, TicketDetail } from '../helpdesk.js';
import type { Query } from '../http.js';
import type { AuditEvent, Comment, Group, Ticket, TicketAudit, TicketMetric } from '../types.js';
import { statusFromRt } from './mapping.js';
import { computeMetrics } from './metrics.js';
import {
  channelFromInterface,
  commentsFrom,
  isBody,
  maybeId,
  messageBody,
  messageInterface,
  partFrom,
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
import type { RtDirectory } from './directory.js';
import { allSettledOrThrow, chunks, itemsOf, REST2, ticketId, type RtSession } from './session.js';
import { sqlString } from './ticketsql.js';

/** Ids per ticket search when reading tickets by id. */
export const IDS_PER_SEARCH = 100;
/** Transaction types read for the thread and the metrics. */
/** How long after its first transaction one request's transactions are taken as one audit. */
const AUDIT_SPAN_S = 5;

/** One transaction as an audit event, or null for what audits do not show. */
function auditEventOf(txn: RtTransaction, id: number): AuditEvent | null {
  switch (txn.type) {
    case 'Create':
    case 'Correspond':
    case 'Comment':
      return { id, type: 'Comment', author_id: txn.creatorId ?? -1, body: '', public: txn.type !== 'Comment' };
    case 'CustomField':
      return { id, type: 'Change', field_name: 'tags', value: txn.newValue ? [txn.newValue] : [], previous_value: txn.oldValue ? [txn.oldValue] : [] };
    case 'Status':
      return { id, type: 'Change', field_name: 'status', value: statusFromRt(txn.newValue), previous_value: txn.oldValue ? statusFromRt(txn.oldValue) : null };
    case 'Set':
      return txn.field === 'Status'
        ? { id, type: 'Change', field_name: 'status', value: statusFromRt(txn.newValue), previous_value: txn.oldValue ? statusFromRt(txn.oldValue) : null }
        : null;
    default:
      return null;
  }
}

const HISTORY_TYPES = ['Create', 'Correspond', 'Comment', 'Status', 'Set', 'Give', 'Take', 'Steal', 'Untake', 'Force'];
const TRANSACTION_FIELDS = ['ObjectId', 'Type', 'Field', 'OldValue', 'NewValue', 'Created', 'Creator'];
const PART_FIELDS = ['TransactionId', 'ContentType', 'Content', 'Filename', 'Headers'];

/** A ticket as read, with what the mapping leaves out. */
export interface RtTicket {
  ticket: Ticket;
  rtStatus: string;
  requesterIds: number[];
  queueName: string;
}

export class RtTickets {
  private readonly session: RtSession;
  private readonly directory: RtDirectory;

  constructor(session: RtSession, directory: RtDirectory) {
    this.session = session;
    this.directory = directory;
  }

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
    const ticket = ticketFrom(item, this.session.base);
    const people = ticketPeople(item);
    this.directory.remember(people.map((p) => p.user));
    const requesterIds = (Array.isArray(item.Requestor) ? item.Requestor : []).flatMap((r) => {
      const id = isBody(r) ? maybeId(r.id) : undefined;
      return id === undefined ? [] : [id];
    });
    const queue = isBody(item.Queue) && typeof item.Queue.Name === 'string' ? item.Queue.Name : '';
    return { ticket, rtStatus: typeof item.Status === 'string' ? item.Status : '', requesterIds, queueName: queue };
  }

  /** Tickets matching TicketSQL, page by page, in the given order (deduplicated by id). */
  async *ticketPages(sql: string, order: Array<[string, 'ASC' | 'DESC']>, pageSize?: number): AsyncGenerator<RtTicket[]> {
    const seen = new Set<number>();
    const path = `${REST2}/tickets?${order.map(([f, o]) => `orderby=${encodeURIComponent(f)}&order=${o}`).join('&')}`;
    for await (const page of this.session.pages(path, this.ticketSearch(sql), { pageSize })) {
      const tickets = page.items.map((item) => this.readTicket(item)).filter((t) => !seen.has(t.ticket.id) && seen.add(t.ticket.id));
      yield tickets;
    }
  }

  /**
   * The tickets of a saved search (GET /tickets?search=ID): RT runs the search's own TicketSQL
   * and order, its placeholders (__CurrentUser__, __Active__) included.
   */
  async *savedSearchPages(searchId: number, pageSize?: number): AsyncGenerator<RtTicket[]> {
    const seen = new Set<number>();
    const { query: _sql, ...fields } = this.ticketSearch('');
    const notFound = `saved search ${searchId} not found`;
    for await (const page of this.session.pages(`${REST2}/tickets`, { ...fields, search: searchId }, { pageSize, notFound })) {
      yield page.items.map((item) => this.readTicket(item)).filter((t) => !seen.has(t.ticket.id) && seen.add(t.ticket.id));
    }
  }

  /** One ticket by id (RT's search never returns a deleted ticket, as Zendesk 404s one). */
  async findTicket(id: number): Promise<RtTicket> {
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
    return { ...ticket, metric_set: this.metricsOf(found, history, await this.directory.nobodyId()) };
  }

  async getTickets(ids: number[], options: ShowManyOptions = {}): Promise<Ticket[]> {
    const found = await this.findTickets(ids);
    if (!options.include?.includes('metric_sets') || found.length === 0) return found.map((t) => t.ticket);
    const [history, nobody] = await Promise.all([this.historyOf(found.map((t) => t.ticket.id)), this.directory.nobodyId()]);
    return found.map((t) => ({ ...t.ticket, metric_set: this.metricsOf(t, history.get(t.ticket.id) ?? [], nobody) }));
  }

  async getTicketDetail(id: number): Promise<TicketDetail> {
    const notFound = `ticket ${id} not found`;
    const [found, history, parts, nobody] = await allSettledOrThrow([
      this.findTicket(id),
      this.history(id, true),
      this.textParts(`${REST2}/ticket/${ticketId(id)}/attachments`, notFound),
      this.directory.nobodyId(),
    ] as const);
    const comments = commentsFrom(history, parts);
    const ticket = withFirstMessage(found.ticket, firstOf(history, parts));
    const metrics = this.metricsOf(found, history, nobody);
    const wanted = new Set<number>([ticket.requester_id, ...(ticket.assignee_id ? [ticket.assignee_id] : []), ...comments.map((c) => c.author_id)]);
    if (ticket.submitter_id) wanted.add(ticket.submitter_id);
    wanted.delete(0);
    const users = await this.directory.getUsers([...wanted]);
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
    const [found, history, nobody] = await allSettledOrThrow([this.findTicket(ticket), this.history(ticket), this.directory.nobodyId()] as const);
    return this.metricsOf(found, history, nobody);
  }

  metricsOf(t: RtTicket, history: readonly RtTransaction[], nobodyId: number | null): TicketMetric {
    return computeMetrics({ ticket: t.ticket, rtStatus: t.rtStatus, requesterIds: t.requesterIds, nobodyId, transactions: history, now: this.session.deskNow() });
  }

  /**
   * A ticket's history as audits. RT records one request as several transactions: a message,
   * then RT_System reopening a resolved ticket for it, then the Tags values and the status the
   * request set, over a second or two. So an audit is a run of transactions by one creator (with
   * RT_System's automatic changes inside it) within AUDIT_SPAN_S of its first, and a second
   * message starts a new one. Correspond is a public comment, Comment a private one, Create the
   * description; a custom field value added or removed reads as a tag change (deskops' tags live
   * in the Tags field); statuses are mapped to Zendesk's.
   */
  async audits(id: number): Promise<TicketAudit[]> {
    const items = await this.historyItems(id);
    const audits: TicketAudit[] = [];
    let eventId = 0;
    let startedAt = 0;
    for (const item of items) {
      const txn = transactionFrom(item, id);
      const event = auditEventOf(txn, eventId + 1);
      if (!event) continue;
      eventId++;
      const system = isBody(item.Creator) && item.Creator.Name === 'RT_System';
      const at = Date.parse(txn.created) / 1000;
      const last = audits[audits.length - 1];
      const joins =
        last !== undefined &&
        at - startedAt <= AUDIT_SPAN_S &&
        (system || txn.creatorId === last.author_id) &&
        !(event.type === 'Comment' && last.events.some((e) => e.type === 'Comment'));
      if (joins) {
        last.events.push(event);
        continue;
      }
      startedAt = at;
      audits.push({ id: txn.id, ticket_id: id, created_at: txn.created, author_id: system ? -1 : (txn.creatorId ?? -1), events: [event], via: { channel: 'api' } });
    }
    return audits;
  }

  /** A ticket's transactions of HISTORY_TYPES; with `people`, their creators are remembered as users. */
  private async history(id: number, people = false): Promise<RtTransaction[]> {
    const items = await this.historyItems(id);
    if (people) this.directory.remember(items.flatMap((i) => (isBody(i.Creator) && maybeId(i.Creator.id) !== undefined ? [userFrom(i.Creator)] : [])));
    return items.map((i) => transactionFrom(i, id)).filter((t) => HISTORY_TYPES.includes(t.type));
  }

  /** A ticket's whole history as RT gives it, oldest first, with each creator's id and names. */
  private historyItems(id: number): Promise<RtBody[]> {
    return this.session.all(
      `${REST2}/ticket/${ticketId(id)}/history?orderby=id&order=ASC`,
      { fields: TRANSACTION_FIELDS.filter((f) => f !== 'ObjectId'), 'fields[Creator]': USER_FIELDS },
      { notFound: `ticket ${id} not found` },
    );
  }

  /** The transactions of many tickets (TransactionSQL, IDS_PER_SEARCH tickets a query), by ticket. */
  async historyOf(ids: number[]): Promise<Map<number, RtTransaction[]>> {
    const byTicket = new Map<number, RtTransaction[]>();
    const types = `(${HISTORY_TYPES.map((t) => `Type = ${sqlString(t)}`).join(' OR ')})`;
    for (const chunk of chunks(ids, IDS_PER_SEARCH)) {
      const sql = `ObjectType = 'RT::Ticket' AND (${chunk.map((id) => `ObjectId = ${id}`).join(' OR ')}) AND ${types}`;
      const items = await this.session.all(`${REST2}/transactions?orderby=id&order=ASC`, { query: sql, fields: TRANSACTION_FIELDS, 'fields[Creator]': 'id' });
      for (const item of items) {
        const txn = transactionFrom(item);
        byTicket.set(txn.ticketId, [...(byTicket.get(txn.ticketId) ?? []), txn]);
      }
    }
    return byTicket;
  }

  /** Text parts (text/*) of a collection of attachments. */
  async textParts(path: string, notFound?: string, query: RtBody[] = []): Promise<RtPart[]> {
    const items = await this.session.all(
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
    const first = await this.session.get(`${REST2}/ticket/${ticketId(id)}/history?orderby=id&order=ASC`, { per_page: 1, fields: 'Type' }, {
      notFound: `ticket ${id} not found`,
    });
    const txn = itemsOf(first, 'GET /ticket/history')[0];
    const txnId = txn && txn.Type === 'Create' ? maybeId(txn.id) : undefined;
    if (txnId === undefined) return null;
    const parts = await this.textParts(`${REST2}/transaction/${txnId}/attachments`);
    return { body: messageBody(parts).body, channel: channelFromInterface(messageInterface(parts)) };
  }
}

export function withFirstMessage(ticket: Ticket, first: { body: string; channel: string } | null): Ticket {
  return first ? { ...ticket, description: first.body, via: { channel: first.channel } } : ticket;
}

/** The first message of a ticket from its history and text parts. */
function firstOf(history: readonly RtTransaction[], parts: readonly RtPart[]): { body: string; channel: string } | null {
  const create = history.find((t) => t.type === 'Create');
  if (!create) return null;
  const own = parts.filter((p) => p.transactionId === create.id);
  return { body: messageBody(own).body, channel: channelFromInterface(messageInterface(own)) };
}
