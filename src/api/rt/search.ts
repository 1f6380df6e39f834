/**
 * Finding Request Tracker tickets: the list, deskops queries translated to TicketSQL (no
 * 1,000-result cap), and the incremental export, emulated with a cursor over LastUpdated.
 */
import { ApiError } from '../../core/errors.js';
import type { SearchOptions, TicketListOptions } from '../helpdesk.js';
import type { IncrementalTicketPage, Ticket } from '../types.js';
import type { RtDirectory } from './directory.js';
import { channelFromInterface, messageBody, messageInterface, type RtPart, type RtTransaction } from './records.js';
import { chunks, clamp, REST2, RT_PAGE_MAX, type RtSession } from './session.js';
import { IDS_PER_SEARCH, withFirstMessage, type RtTicket, type RtTickets } from './tickets.js';
import { ALL_TICKETS, rtInstant, toTicketSql } from './ticketsql.js';

/** How far before a cursor an incremental read starts, against clock skew; overlap is filtered out. */
const INCREMENTAL_OVERLAP_S = 120;

export class RtSearch {
  private readonly session: RtSession;
  private readonly directory: RtDirectory;
  private readonly tickets: RtTickets;

  constructor(session: RtSession, directory: RtDirectory, tickets: RtTickets) {
    this.session = session;
    this.directory = directory;
    this.tickets = tickets;
  }

  async *listTickets(options: TicketListOptions = {}): AsyncIterable<Ticket> {
    const sort = options.sort ?? 'id';
    const desc = sort.startsWith('-');
    const field = { id: 'id', updated_at: 'LastUpdated', created_at: 'Created' }[sort.replace(/^-/, '') as 'id' | 'updated_at' | 'created_at'];
    const order: Array<[string, 'ASC' | 'DESC']> = [[field, desc ? 'DESC' : 'ASC']];
    if (field !== 'id') order.push(['id', desc ? 'DESC' : 'ASC']);
    for await (const page of this.tickets.ticketPages(ALL_TICKETS, order, options.pageSize)) for (const t of page) yield t.ticket;
  }

  /** TicketSQL for a deskops query; checks the Tags field when the query names tags. */
  private async translate(query: string): Promise<ReturnType<typeof toTicketSql>> {
    const sql = toTicketSql(query, { now: this.session.deskNow() });
    if (sql.usesTags) await this.directory.needTags('search by tag');
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
    for await (const page of this.tickets.ticketPages(sql.query, order, pageSize)) {
      for (const t of page) {
        yield t.ticket;
        returned++;
        if (limit !== undefined && returned >= limit) return;
      }
    }
  }

  async *exportSearchTickets(query: string, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    const sql = await this.translate(query);
    for await (const page of this.tickets.ticketPages(sql.query, [['id', 'ASC']], options.pageSize)) for (const t of page) yield t.ticket;
  }

  /**
   * Tickets changed since a time or a cursor, oldest change first, with metrics. Emulated:
   * TicketSQL `LastUpdated >= ...` ordered by LastUpdated then id, resumed by a cursor that
   * holds the last ticket's LastUpdated and id. Deleted tickets never show (RT's search hides them).
   */
  async *incrementalTickets(from: { startTime: number } | { cursor: string }, options: { pageSize?: number } = {}): AsyncIterable<IncrementalTicketPage> {
    const pageSize = clamp(options.pageSize ?? RT_PAGE_MAX, 1, RT_PAGE_MAX);
    let position = 'startTime' in from ? { t: Math.max(0, Math.floor(from.startTime)), id: 0 } : parseCursor(from.cursor);
    const nobody = await this.directory.nobodyId();
    for (;;) {
      const nowS = Math.floor(this.session.deskNow() / 1000);
      const sql = position.t > 0 ? `LastUpdated >= ${rtInstant(position.t - INCREMENTAL_OVERLAP_S, nowS)}` : ALL_TICKETS;
      const fresh: RtTicket[] = [];
      let exhausted = true;
      for await (const page of this.tickets.ticketPages(sql, [['LastUpdated', 'ASC'], ['id', 'ASC']], pageSize)) {
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
      const history = batch.length > 0 ? await this.tickets.historyOf(batch.map((t) => t.ticket.id)) : new Map<number, RtTransaction[]>();
      const firsts = batch.length > 0 ? await this.firstMessages(history) : new Map<number, { body: string; channel: string }>();
      yield {
        tickets: batch.map((t) => withFirstMessage(t.ticket, firsts.get(t.ticket.id) ?? null)),
        metric_sets: batch.map((t) => this.tickets.metricsOf(t, history.get(t.ticket.id) ?? [], nobody)),
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
      const parts = await this.tickets.textParts(`${REST2}/attachments`, undefined, chunk.map((txn) => ({ field: 'TransactionId', value: txn })));
      const byTxn = new Map<number, RtPart[]>();
      for (const p of parts) byTxn.set(p.transactionId, [...(byTxn.get(p.transactionId) ?? []), p]);
      for (const txn of chunk) {
        const own = byTxn.get(txn);
        if (own) out.set(creates.get(txn)!, { body: messageBody(own).body, channel: channelFromInterface(messageInterface(own)) });
      }
    }
    return out;
  }
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
