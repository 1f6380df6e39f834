/**
 * Request Tracker's saved searches as views. REST2 lists the ticket searches the user may load
 * (GET /searches: their own, their groups' and the system's, with RT's default ones), describes
 * each (GET /search/:id: its description, owner, and the search itself), and runs one with
 * its own query and order (GET /tickets?search=ID). RT has no macros: asking for them is a
 * NotFoundError that says so.
 */
import { NotFoundError, PermissionError } from '../../core/errors.js';
import type { DeskView, Macro, MacroResult, Restriction, Ticket } from '../types.js';
import { isBody, type RtBody } from './records.js';
import { inBatches, REST2, type RtSession } from './session.js';
import type { RtTickets } from './tickets.js';

const DESCRIBE_CONCURRENCY = 4;

export const NO_MACROS = 'Request Tracker has no macros; deskops templates work on it (deskops template list)';

export class RtSavedSearches {
  private readonly session: RtSession;
  private readonly tickets: RtTickets;

  constructor(session: RtSession, tickets: RtTickets) {
    this.session = session;
    this.tickets = tickets;
  }

  /** The ticket searches the user may load, by title. */
  async listViews(): Promise<DeskView[]> {
    const items = await this.session.all(`${REST2}/searches`, {}, {
      notFound: 'this Request Tracker has no saved searches in its REST2 API (GET /REST/2.0/searches is RT 5.0.3 or newer)',
    });
    const ids = items.map((item) => Number(item.id)).filter((id) => Number.isSafeInteger(id) && id > 0);
    const views: DeskView[] = [];
    await inBatches(ids, DESCRIBE_CONCURRENCY, async (id) => {
      let body: unknown;
      try {
        body = await this.session.get(`${REST2}/search/${id}`, undefined, { notFound: `saved search ${id} not found` });
      } catch (err) {
        // listed but not loadable by this user (RT checks each search's rights): not offered
        if (err instanceof NotFoundError || err instanceof PermissionError) return;
        throw err;
      }
      const view = savedSearchView(body, this.session.base);
      if (view) views.push(view);
    });
    return views.sort((a, b) => a.title.localeCompare(b.title) || a.id - b.id);
  }

  async *viewTickets(view: DeskView, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    for await (const page of this.tickets.savedSearchPages(view.id, options.pageSize)) for (const t of page) yield t.ticket;
  }

  async listMacros(): Promise<Macro[]> {
    throw new NotFoundError(NO_MACROS);
  }

  async applyMacro(): Promise<MacroResult> {
    throw new NotFoundError(NO_MACROS);
  }
}

/**
 * One saved search (an RT attribute) as a view, or null when it is not a ticket search.
 * RT's default searches describe themselves with a count placeholder ("[_1] highest priority
 * tickets I own"), which is left out of the title.
 */
export function savedSearchView(body: unknown, base: string): DeskView | null {
  if (!isBody(body)) return null;
  const b = body as RtBody;
  const id = Number(b.id);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const content = isBody(b.Content) ? (b.Content as RtBody) : undefined;
  const searchType = typeof content?.SearchType === 'string' ? content.SearchType : 'Ticket';
  if (searchType !== 'Ticket') return null;
  const name = typeof b.Name === 'string' ? b.Name : '';
  const described = typeof b.Description === 'string' && b.Description.trim() !== '' ? b.Description : name.replace(/^Search - /, '');
  const title = described.replace(/\[_\d+\]\s*/g, '').replace(/\s+/g, ' ').trim();
  if (title === '') return null;
  const objectId = Number(b.ObjectId);
  let restriction: Restriction | null = null;
  if (b.ObjectType === 'RT::User' && Number.isSafeInteger(objectId)) restriction = { type: 'User', id: objectId };
  if (b.ObjectType === 'RT::Group' && Number.isSafeInteger(objectId)) restriction = { type: 'Group', id: objectId, ids: [objectId] };
  const view: DeskView = {
    id,
    title: title.charAt(0).toUpperCase() + title.slice(1),
    active: true,
    restriction,
    conditions: { all: [], any: [] },
    url: `${base}/search/${id}`,
  };
  if (typeof content?.Query === 'string') view.query = content.Query;
  return view;
}
