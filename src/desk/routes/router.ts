/**
 * The route table: method + path pattern -> handler. Paths are matched after the `.json`
 * suffix and any trailing slash are removed; anything unmatched is a 404 JSON answer.
 */
import { incrementalTickets } from './incremental.js';
import type { Handler } from './context.js';
import {
  listGroups,
  listOrganizations,
  listTicketFields,
  listUsers,
  me,
  showGroup,
  showManyOrganizations,
  showManyUsers,
  showOrganization,
  showUser,
} from './people.js';
import {
  listSatisfactionRatings,
  listTicketMetrics,
  showJobStatus,
  showManyJobStatuses,
  showSatisfactionRating,
  showTicketMetric,
} from './reports.js';
import {
  applyMacroRoute,
  applyMacroToTicketRoute,
  listActiveMacros,
  listActiveViews,
  listMacros,
  listViews,
  showMacro,
  showView,
  viewTickets,
} from './rules.js';
import { search, searchCount, searchExport } from './search.js';
import {
  createTicketRoute,
  listAudits,
  listComments,
  listTickets,
  showManyTickets,
  showTicket,
  ticketMetrics,
  updateManyTickets,
  updateTicketRoute,
} from './tickets.js';

interface Route {
  method: 'GET' | 'POST' | 'PUT';
  pattern: RegExp;
  handler: Handler;
  /** Who may call it: Zendesk answers 403 to agents on the admin-only endpoints. */
  access: 'agent' | 'admin';
}

const ID = '([^/]+)';
const route = (method: Route['method'], path: string, handler: Handler, access: Route['access'] = 'agent'): Route => ({
  method,
  pattern: new RegExp(`^/api/v2${path}$`),
  handler,
  access,
});

// Specific paths (show_many, update_many, me) come before /{id} patterns.
const ROUTES: readonly Route[] = [
  route('GET', '/tickets', listTickets),
  route('POST', '/tickets', createTicketRoute),
  route('GET', '/tickets/show_many', showManyTickets),
  route('PUT', '/tickets/update_many', updateManyTickets),
  route('GET', `/tickets/${ID}`, showTicket),
  route('PUT', `/tickets/${ID}`, updateTicketRoute),
  route('GET', `/tickets/${ID}/comments`, listComments),
  route('GET', `/tickets/${ID}/metrics`, ticketMetrics),
  route('GET', `/tickets/${ID}/audits`, listAudits),
  route('GET', `/tickets/${ID}/macros/${ID}/apply`, applyMacroToTicketRoute),
  route('GET', '/views', listViews),
  route('GET', '/views/active', listActiveViews),
  route('GET', `/views/${ID}`, showView),
  route('GET', `/views/${ID}/tickets`, viewTickets),
  route('GET', '/macros', listMacros),
  route('GET', '/macros/active', listActiveMacros),
  route('GET', `/macros/${ID}`, showMacro),
  route('GET', `/macros/${ID}/apply`, applyMacroRoute),
  route('GET', '/search', search),
  route('GET', '/search/count', searchCount),
  route('GET', '/search/export', searchExport),
  route('GET', '/incremental/tickets/cursor', incrementalTickets, 'admin'),
  route('GET', '/ticket_metrics', listTicketMetrics),
  route('GET', `/ticket_metrics/${ID}`, showTicketMetric),
  route('GET', '/satisfaction_ratings', listSatisfactionRatings, 'admin'),
  route('GET', `/satisfaction_ratings/${ID}`, showSatisfactionRating, 'admin'),
  route('GET', '/job_statuses/show_many', showManyJobStatuses),
  route('GET', `/job_statuses/${ID}`, showJobStatus),
  route('GET', '/users/me', me),
  route('GET', '/users', listUsers),
  route('GET', '/users/show_many', showManyUsers),
  route('GET', `/users/${ID}`, showUser),
  route('GET', '/groups', listGroups),
  route('GET', `/groups/${ID}`, showGroup),
  route('GET', '/organizations', listOrganizations),
  route('GET', '/organizations/show_many', showManyOrganizations),
  route('GET', `/organizations/${ID}`, showOrganization),
  route('GET', '/ticket_fields', listTicketFields),
];

/** "/api/v2/tickets/42.json/" -> "/api/v2/tickets/42" */
export function normalizePath(pathname: string): string {
  let path = pathname.replace(/\/+$/, '');
  if (path.endsWith('.json')) path = path.slice(0, -'.json'.length);
  return path || '/';
}

export function findRoute(method: string, path: string): { handler: Handler; params: string[]; access: Route['access'] } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { handler: r.handler, params: m.slice(1).map((p) => decodeURIComponent(p)), access: r.access };
  }
  return undefined;
}
