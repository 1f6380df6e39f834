/** The placeholders a template may use, and the render context that fills them from desk records. */
import type { Group, Organization, Ticket, User } from '../model.js';

/** Every placeholder a template may use besides `vars.*`. Zendesk names, as its macros use them. */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  'ticket.id',
  'ticket.title',
  'ticket.description',
  'ticket.status',
  'ticket.priority',
  'ticket.ticket_type',
  'ticket.tags',
  'ticket.via',
  'ticket.created_at',
  'ticket.updated_at',
  'ticket.due_date',
  ...personPlaceholders('ticket.requester'),
  ...personPlaceholders('ticket.assignee'),
  'ticket.group.name',
  'ticket.organization.name',
  ...personPlaceholders('current_user'),
  'current_user.signature',
];

function personPlaceholders(prefix: string): string[] {
  return ['id', 'name', 'first_name', 'last_name', 'email'].map((f) => `${prefix}.${f}`);
}

interface PersonFields {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
}

/**
 * What a template sees. A record the ticket does not have (no assignee, no organization) is
 * left out rather than set to null, so `{{ ticket.organization.name }}` fails loudly instead of
 * printing nothing; guard optional parts with `{% if ticket.organization %}`.
 */
export interface RenderContext {
  ticket: {
    id: number;
    title: string;
    description: string;
    status: string;
    priority: string;
    ticket_type: string;
    tags: string[];
    via: string;
    created_at: string;
    updated_at: string;
    due_date?: string;
    requester?: PersonFields;
    assignee?: PersonFields;
    group?: { name: string };
    organization?: { name: string };
  };
  current_user: PersonFields & { signature: string };
}

export interface RenderContextInput {
  ticket: Ticket;
  requester?: User;
  assignee?: User;
  group?: Group;
  organization?: Organization;
  /** The agent sending (the desk's `me`). */
  me: User;
}

function person(u: User): PersonFields {
  const name = u.name.trim();
  const space = name.indexOf(' ');
  return {
    id: u.id,
    name,
    first_name: space === -1 ? name : name.slice(0, space),
    last_name: space === -1 ? '' : name.slice(space + 1).trim(),
    email: u.email,
  };
}

/** Builds the placeholders of one ticket. `current_user.signature` falls back to the agent's name. */
export function buildRenderContext(input: RenderContextInput): RenderContext {
  const t = input.ticket;
  const ticket: RenderContext['ticket'] = {
    id: t.id,
    title: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority ?? '',
    ticket_type: t.type ?? '',
    tags: [...t.tags],
    via: String(t.via?.channel ?? ''),
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
  if (t.due_at) ticket.due_date = t.due_at;
  if (input.requester) ticket.requester = person(input.requester);
  if (input.assignee) ticket.assignee = person(input.assignee);
  if (input.group) ticket.group = { name: input.group.name };
  if (input.organization) ticket.organization = { name: input.organization.name };
  const me = person(input.me);
  const signature = input.me.signature?.trim() ? input.me.signature.trim() : me.name;
  return { ticket, current_user: { ...me, signature } };
}

/** Sample placeholders for checking that a template renders (lint) and for previews without a ticket. */
export function sampleRenderContext(): RenderContext {
  const requester = { id: 101, name: 'Dana Whitfield', first_name: 'Dana', last_name: 'Whitfield', email: 'dana@example.com' };
  const agent = { id: 7, name: 'Sam Ortiz', first_name: 'Sam', last_name: 'Ortiz', email: 'sam@example.com' };
  return {
    ticket: {
      id: 4242,
      title: 'Charged twice for order 10442',
      description: 'I was charged twice for order 10442.',
      status: 'open',
      priority: 'high',
      ticket_type: 'problem',
      tags: ['billing'],
      via: 'email',
      created_at: '2025-03-03T09:12:00Z',
      updated_at: '2025-03-04T16:40:00Z',
      due_date: '2025-03-07T17:00:00Z',
      requester,
      assignee: agent,
      group: { name: 'Billing' },
      organization: { name: 'Whitfield Design' },
    },
    current_user: { ...agent, signature: 'Sam\nCustomer Support' },
  };
}
