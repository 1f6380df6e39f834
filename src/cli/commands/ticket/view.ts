import type { CliContext } from '../../context.js';
import { painter, printRecord, type OutputFlags } from '../../output.js';
import { sanitizeLine, sanitizeText } from '../../sanitize.js';
import { viewTicket, type TicketView } from '../../../services/tickets.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { formatAge, formatMinutes, formatTimestamp } from '../../../core/time.js';
import { priorityTone, statusTone } from './present.js';

interface ViewFlags extends OutputFlags {
  publicOnly?: boolean;
}

export async function ticketView(ctx: CliContext, idArg: string, flags: ViewFlags): Promise<void> {
  const id = parseTicketId(idArg);
  const desk = await ctx.helpdesk();
  const view = await viewTicket(desk, id);
  const comments = flags.publicOnly ? view.comments.filter((c) => c.public) : view.comments;
  const users = new Map(view.users.map((u) => [u.id, u]));
  const json = {
    ...view.ticket,
    requester: view.requester ?? null,
    assignee: view.assignee ?? null,
    group: view.group ?? null,
    organization: view.organization ?? null,
    metrics: view.metrics,
    comments: comments.map((c) => ({
      id: c.id,
      author_id: c.author_id,
      author_name: users.get(c.author_id)?.name ?? null,
      public: c.public,
      body: c.body,
      created_at: c.created_at,
    })),
  };
  await printRecord(ctx.io, json, flags, () => renderTicket(ctx, view, comments));
}

async function renderTicket(ctx: CliContext, view: TicketView, comments: TicketView['comments']): Promise<string> {
  const paint = await painter(ctx.io);
  const now = ctx.now();
  const t = view.ticket;
  const users = new Map(view.users.map((u) => [u.id, u]));
  const name = (id: number | null | undefined) => (id ? sanitizeLine(users.get(id)?.name ?? `user ${id}`) : '');
  const lines: string[] = [];
  lines.push(paint('strong', `#${t.id} ${sanitizeLine(t.subject)}`));
  lines.push(
    [
      paint(statusTone(t.status), t.status),
      t.priority ? paint(priorityTone(t.priority), t.priority) : 'no priority',
      `via ${t.via?.channel ?? 'unknown'}`,
      `created ${formatTimestamp(t.created_at)} (${formatAge(t.created_at, now)} ago)`,
      `updated ${formatAge(t.updated_at, now)} ago`,
    ].join(' · '),
  );
  const requester = view.requester
    ? `${sanitizeLine(view.requester.name)} <${sanitizeLine(view.requester.email)}>`
    : `user ${t.requester_id}`;
  const org = view.organization ? ` · ${sanitizeLine(view.organization.name)}${view.organization.organization_fields?.vip ? ' (VIP)' : ''}` : '';
  lines.push(`${paint('muted', 'requester')} ${requester}${org}`);
  lines.push(
    `${paint('muted', 'assignee ')} ${view.assignee ? sanitizeLine(view.assignee.name) : paint('warn', 'unassigned')}` +
      `${view.group ? ` · ${sanitizeLine(view.group.name)}` : ''}`,
  );
  if (t.tags.length) lines.push(`${paint('muted', 'tags     ')} ${t.tags.map(sanitizeLine).join(', ')}`);
  const m = view.metrics;
  if (m) {
    const parts = [
      `replies ${m.replies}`,
      `reopens ${m.reopens}`,
      m.reply_time_in_minutes.calendar !== null ? `first reply ${formatMinutes(m.reply_time_in_minutes.calendar)}` : 'no reply yet',
      m.full_resolution_time_in_minutes.calendar !== null
        ? `resolved in ${formatMinutes(m.full_resolution_time_in_minutes.calendar)}`
        : '',
      m.group_stations > 1 ? `${m.group_stations} groups` : '',
    ].filter(Boolean);
    lines.push(`${paint('muted', 'metrics  ')} ${parts.join(' · ')}`);
  }
  for (const sla of t.slas?.policy_metrics ?? []) {
    if (sla.stage !== 'active' || !sla.breach_at) continue;
    const left = Date.parse(sla.breach_at) - now.getTime();
    const label = sla.metric.replace(/_/g, ' ');
    lines.push(
      `${paint('muted', 'sla      ')} ${label} ${left < 0 ? paint('bad', `breached ${formatAge(sla.breach_at, now)} ago`) : paint(left < 3_600_000 ? 'warn' : undefined, `due in ${formatAge(new Date(now.getTime() - left).toISOString(), now)}`)}`,
    );
  }
  lines.push('');
  if (comments.length === 0) lines.push(paint('muted', '(no comments)'));
  for (const c of comments) {
    const kind = c.public ? paint('accent', 'reply') : paint('warn', 'internal note');
    lines.push(`${paint('strong', name(c.author_id))} · ${kind} · ${formatTimestamp(c.created_at)}`);
    const body = sanitizeText(c.body).trimEnd();
    for (const line of body.split('\n')) lines.push(`  ${line}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
