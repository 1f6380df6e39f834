import type { CliContext } from '../../context.js';
import { painter, printRecord, type OutputFlags, type Tone } from '../../output.js';
import { sanitizeLine, sanitizeText } from '../../../core/sanitize.js';
import { viewTicket, type TicketView } from '../../../services/tickets.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { formatAge, formatDuration, formatMinutes, formatTimestamp } from '../../../core/time.js';
import { slaSummary, type SlaSummary } from '../../../core/urgency.js';
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
  const now = ctx.now();
  const sla = slaSummary(view.ticket, now);
  const json = {
    ...view.ticket,
    sla: sla ? slaJson(sla) : null,
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
  await printRecord(ctx.io, json, flags, () => renderTicket(ctx, view, comments, sla, now));
}

/** The running SLA target as --json prints it: the earliest active one (as the queue counts). */
function slaJson(sla: SlaSummary): Record<string, unknown> {
  return {
    metric: sla.metric,
    target_minutes: sla.targetMinutes,
    breach_at: sla.breachAt,
    breached: sla.msLeft <= 0,
    // negative once breached
    minutes_left: Math.trunc(sla.msLeft / 60_000),
  };
}

async function renderTicket(
  ctx: CliContext,
  view: TicketView,
  comments: TicketView['comments'],
  sla: SlaSummary | null,
  now: Date,
): Promise<string> {
  const paint = await painter(ctx.io);
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
  const slaLine = slaText(t, sla, paint);
  if (slaLine) lines.push(`${paint('muted', 'sla      ')} ${slaLine}`);
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

/**
 * "first reply time (target 8h) · breached 3h ago, at 2026-11-20 09:00", or what the targets
 * are doing when none is running; empty when the desk has no SLA for the ticket.
 */
function slaText(t: TicketView['ticket'], sla: SlaSummary | null, paint: (tone: Tone, text: string) => string): string {
  if (sla) {
    const target = sla.targetMinutes !== null ? ` (target ${formatMinutes(sla.targetMinutes)})` : '';
    const when = sla.msLeft <= 0
      ? paint('bad', `breached ${formatDuration(-sla.msLeft)} ago`)
      : paint(sla.msLeft < 3_600_000 ? 'warn' : undefined, `due in ${formatDuration(sla.msLeft)}`);
    return `${metricLabel(sla.metric)}${target} · ${when}, at ${formatTimestamp(sla.breachAt)}`;
  }
  const metrics = t.slas?.policy_metrics ?? [];
  if (metrics.length === 0) return '';
  return `none running (${metrics.map((m) => `${metricLabel(m.metric)} ${sanitizeLine(String(m.stage))}`).join(', ')})`;
}

function metricLabel(metric: string): string {
  return sanitizeLine(String(metric).replace(/_/g, ' '));
}
