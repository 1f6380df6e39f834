/**
 * Rows as the store keeps them, and their Zendesk JSON shapes (the core model, src/core/model.ts).
 * Rows are always mapped field by field: libsql rows carry extra properties (`_metadata`).
 */
import type {
  Comment,
  Group,
  Organization,
  SatisfactionRating,
  Ticket,
  TicketField,
  TicketPriority,
  TicketStatus,
  User,
} from '../core/model.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/model.js';
import { CUSTOM_FIELD_IDS, TICKET_FIELDS } from './fields.js';
import { isoSeconds } from './time.js';

export interface TicketRow {
  id: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: Ticket['type'];
  requester_id: number;
  submitter_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  tags: string;
  custom_fields: string;
  channel: string;
  created_at: number;
  updated_at: number;
  update_seq: number;
  solved_at: number | null;
  csat_id: number | null;
  csat_score: string | null;
  csat_comment: string | null;
}

export const TICKET_COLUMNS =
  'id, subject, description, status, priority, type, requester_id, submitter_id, assignee_id, group_id, organization_id, ' +
  'tags, custom_fields, channel, created_at, updated_at, update_seq, solved_at, csat_id, csat_score, csat_comment';

export interface UserRow {
  id: number;
  name: string;
  email: string;
  role: User['role'];
  organization_id: number | null;
  default_group_id: number | null;
  signature: string | null;
  time_zone: string;
  created_at: number;
  updated_at: number;
}

export const USER_COLUMNS = 'id, name, email, role, organization_id, default_group_id, signature, time_zone, created_at, updated_at';

export interface GroupRow {
  id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface OrganizationRow {
  id: number;
  name: string;
  domain_names: string;
  tags: string;
  fields: string;
  notes: string;
  created_at: number;
  updated_at: number;
}

export interface CommentRow {
  id: number;
  ticket_id: number;
  author_id: number;
  body: string;
  public: number;
  channel: string;
  created_at: number;
}

export interface RatingRow {
  id: number;
  ticket_id: number;
  score: SatisfactionRating['score'];
  comment: string | null;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  created_at: number;
  updated_at: number;
}

export function statusRank(status: TicketStatus): number {
  return TICKET_STATUSES.indexOf(status);
}

export function priorityRank(priority: TicketPriority | null): number | null {
  return priority === null ? null : TICKET_PRIORITIES.indexOf(priority);
}

/** Zendesk tags: lower case, no spaces. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '_');
}

/** Tags as stored: " a b " (so `LIKE '% a %'` matches a whole tag). */
export function tagsColumn(tags: Iterable<string>): string {
  const list = [...new Set([...tags].map(normalizeTag).filter(Boolean))];
  return list.length ? ` ${list.join(' ')} ` : ' ';
}

export function parseTags(column: string): string[] {
  return column.split(' ').filter(Boolean);
}

/** Lower-cased words of subject and description, space separated, for plain-word search. */
export function searchText(subject: string, description: string): string {
  return ` ${normalizeWords(`${subject} ${description}`)} `;
}

export function normalizeWords(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9@._'-]+/g, ' ')
    .replace(/[.'-](?=\s|$)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function via(channel: string): Ticket['via'] & { source: unknown } {
  return { channel, source: { from: {}, to: {}, rel: null } };
}

export function ticketJson(row: TicketRow, base: string): Ticket & Record<string, unknown> {
  const values = JSON.parse(row.custom_fields) as Record<string, string | number | boolean | null>;
  const customFields = CUSTOM_FIELD_IDS.map((id) => ({ id, value: values[String(id)] ?? null }));
  const rating: Ticket['satisfaction_rating'] =
    row.csat_score === null
      ? { score: 'unoffered' }
      : row.csat_score === 'offered'
        ? { score: 'offered', id: row.csat_id ?? undefined, comment: null }
        : { score: row.csat_score as 'good' | 'bad', id: row.csat_id ?? undefined, comment: row.csat_comment };
  return {
    url: `${base}/api/v2/tickets/${row.id}.json`,
    id: row.id,
    external_id: null,
    via: via(row.channel),
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
    generated_timestamp: row.updated_at,
    type: row.type,
    subject: row.subject,
    raw_subject: row.subject,
    description: row.description,
    priority: row.priority,
    status: row.status,
    recipient: null,
    requester_id: row.requester_id,
    submitter_id: row.submitter_id,
    assignee_id: row.assignee_id,
    organization_id: row.organization_id,
    group_id: row.group_id,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: parseTags(row.tags),
    custom_fields: customFields,
    fields: customFields,
    satisfaction_rating: rating,
    sharing_agreement_ids: [],
    followup_ids: [],
    ticket_form_id: null,
    brand_id: null,
    allow_channelback: false,
    allow_attachments: true,
  };
}

export function userJson(row: UserRow, base: string): User & Record<string, unknown> {
  return {
    id: row.id,
    url: `${base}/api/v2/users/${row.id}.json`,
    name: row.name,
    email: row.email,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
    time_zone: row.time_zone,
    iana_time_zone: row.time_zone === 'UTC' ? 'Etc/UTC' : row.time_zone,
    locale: 'en-US',
    organization_id: row.organization_id,
    role: row.role,
    verified: true,
    active: true,
    suspended: false,
    default_group_id: row.default_group_id,
    signature: row.signature,
    tags: [],
    user_fields: {},
  };
}

export function groupJson(row: GroupRow, base: string): Group & Record<string, unknown> {
  return {
    id: row.id,
    url: `${base}/api/v2/groups/${row.id}.json`,
    name: row.name,
    description: row.description,
    default: row.id === 201,
    deleted: false,
    is_public: true,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
  };
}

export function organizationJson(row: OrganizationRow, base: string): Organization & Record<string, unknown> {
  return {
    id: row.id,
    url: `${base}/api/v2/organizations/${row.id}.json`,
    name: row.name,
    shared_tickets: false,
    shared_comments: false,
    external_id: null,
    domain_names: JSON.parse(row.domain_names) as string[],
    details: '',
    notes: row.notes,
    group_id: null,
    tags: parseTags(row.tags),
    organization_fields: JSON.parse(row.fields) as Organization['organization_fields'],
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function commentJson(row: CommentRow): Comment & Record<string, unknown> {
  const html = `<div class="zd-comment" dir="auto">${row.body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</div>`;
  return {
    id: row.id,
    type: 'Comment',
    author_id: row.author_id,
    body: row.body,
    html_body: html,
    plain_body: row.body,
    public: row.public === 1,
    attachments: [],
    audit_id: row.id,
    via: via(row.channel),
    created_at: isoSeconds(row.created_at),
  };
}

export function ratingJson(row: RatingRow, base: string): SatisfactionRating & Record<string, unknown> {
  return {
    id: row.id,
    url: `${base}/api/v2/satisfaction_ratings/${row.id}.json`,
    assignee_id: row.assignee_id,
    group_id: row.group_id,
    requester_id: row.requester_id,
    ticket_id: row.ticket_id,
    score: row.score,
    comment: row.comment,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
  };
}

export function ticketFieldsJson(base: string): Array<TicketField & Record<string, unknown>> {
  return TICKET_FIELDS.map((f, position) => ({
    url: `${base}/api/v2/ticket_fields/${f.id}.json`,
    id: f.id,
    type: f.type,
    title: f.title,
    raw_title: f.title,
    description: f.description,
    raw_description: f.description,
    position,
    active: true,
    required: false,
    collapsed_for_agents: false,
    regexp_for_validation: null,
    title_in_portal: f.title,
    visible_in_portal: !f.custom,
    editable_in_portal: false,
    required_in_portal: false,
    tag: null,
    removable: f.custom,
    key: f.key ?? undefined,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  }));
}
