import type { CliContext } from '../../context.js';
import { deskLabel } from '../../../services/desk-identity.js';
import { outputMode, painter, printList, type Column, type OutputFlags, type Tone } from '../../output.js';
import { sanitizeLine } from '../../../core/sanitize.js';
import { statusLine } from '../../io.js';
import { openReplica } from '../../replica.js';
import { buildQueue, checkQueueView, DEFAULT_ENRICH, viewName, type QueueItem } from '../../../services/queue.js';
import { resolveQueueView } from '../../../services/views.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { UsageError } from '../../../core/errors.js';
import { formatAge, formatDuration } from '../../../core/time.js';
import { parseUrgencyWeights, URGENCY_WEIGHTS_SETTING } from '../../../core/urgency.js';
import { priorityTone } from '../ticket/present.js';

interface QueueFlags extends OutputFlags {
  view: string;
  limit: string;
  explain?: boolean;
  tag?: string[];
  fresh?: boolean;
}

export async function queueShow(ctx: CliContext, flags: QueueFlags): Promise<void> {
  const limit = parsePositiveInt(flags.limit, '--limit', 100_000);
  const mode = outputMode(flags, ctx.io);
  const store = await ctx.config();
  const weights = parseUrgencyWeights(store.getSetting(URGENCY_WEIGHTS_SETTING));
  const remote = await ctx.helpdesk();
  const view = await resolveQueueView(remote, flags.view);
  // Tickets come from the profile's replica: only what changed since the last read is fetched.
  const replica = await openReplica(ctx, remote, { fresh: flags.fresh });
  const desk = replica?.desk ?? remote;
  await (replica ? replica.withFreshNames(() => checkQueueView(desk, view)) : checkQueueView(desk, view));
  const filter = (flags.tag ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean).map((t) => {
    if (!/^[^\s,"]+$/.test(t)) throw new UsageError(`invalid tag "${t}": tags have no spaces, commas or quotes`);
    return `tags:${t}`;
  }).join(' ');
  // A progress line on a terminal: a big view takes seconds to read.
  const line = statusLine(ctx.io);
  // The threads of the same top tickets are read whatever --limit is: the ranking must not
  // depend on how many rows are printed (--limit 5 shows the first five of --limit 100).
  const queue = await buildQueue(desk, { view, limit, weights, now: ctx.now, enrich: DEFAULT_ENRICH, onProgress: line?.write, ...(filter ? { filter } : {}), ...(replica ? { source: replica.queueSource() } : {}), ...(ctx.globals.verbose ? { onNotice: (m: string) => ctx.io.err(`> ${m}`) } : {}) }).finally(() => line?.clear());
  const now = ctx.now();

  const columns: Column<QueueItem>[] = [
    { key: 'urgency', header: 'URG', get: (r) => r.urgency.score, align: 'right', tone: (r) => urgencyTone(r.urgency.score) },
    { key: 'sla', header: 'SLA', get: (r) => slaText(r), align: 'right', tone: (r) => slaTone(r) },
    { key: 'id', header: 'ID', get: (r) => r.ticket.id, align: 'right' },
    { key: 'priority', header: 'PRI', get: (r) => r.ticket.priority ?? '', tone: (r) => priorityTone(r.ticket.priority) },
    { key: 'subject', header: 'SUBJECT', get: (r) => r.ticket.subject, flex: true },
    { key: 'requester', header: 'REQUESTER', get: (r) => `${r.requester?.name ?? r.ticket.requester_id}${r.vip ? ' ★' : ''}`, maxWidth: 20 },
    { key: 'age', header: 'AGE', get: (r) => formatAge(r.ticket.created_at, now), align: 'right' },
    {
      key: 'reasons',
      header: flags.explain ? 'REASONS' : 'WHY',
      get: (r) =>
        flags.explain
          ? r.urgency.reasons.map((x) => `${x.label} +${x.points}`).join('; ')
          : r.urgency.reasons.slice(0, 2).map((x) => x.label).join('; '),
      maxWidth: flags.explain ? 200 : 34,
    },
  ];

  if (mode === 'table' && flags.explain && !flags.fields) {
    if (queue.items.length === 0) {
      ctx.io.err('the queue is empty');
      return;
    }
    ctx.io.out(await explainBlocks(ctx, queue.items, now));
    return;
  }
  await printList(ctx.io, queue.items, columns, flags, {
    toJson: queueItemJson,
    emptyMessage: 'the queue is empty',
  });
  if (mode === 'table' && queue.total > queue.items.length) {
    ctx.io.err(`${queue.items.length} of ${queue.total} unsolved tickets in view ${viewName(view)}; --limit shows more`);
  }
  // On a terminal, which desk this was: a live one is marked, as in triage's header.
  if (mode === 'table') {
    const where = deskLabel(desk.connection);
    const paint = await painter(ctx.io);
    ctx.io.err(paint(where.live ? 'warn' : 'muted', `view ${viewName(view)} on ${where.live ? 'LIVE ' : ''}${where.name}`));
  }
}

/** One queue item as --json prints it. */
export function queueItemJson(r: QueueItem): Record<string, unknown> {
  const t = r.ticket;
  return {
    id: t.id,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    urgency: r.urgency.score,
    reasons: r.urgency.reasons,
    sla_breach_at: r.urgency.sla?.breachAt ?? null,
    sla_metric: r.urgency.sla?.metric ?? null,
    requester_id: t.requester_id,
    requester_name: r.requester?.name ?? null,
    assignee_id: t.assignee_id,
    assignee_name: r.assignee?.name ?? null,
    group_id: t.group_id,
    group_name: r.group?.name ?? null,
    organization_id: t.organization_id,
    organization_name: r.organization?.name ?? null,
    vip: r.vip,
    channel: t.via?.channel ?? null,
    tags: t.tags,
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
}

function slaText(r: QueueItem): string {
  const sla = r.urgency.sla;
  return sla ? formatDuration(sla.msLeft) : '';
}

function slaTone(r: QueueItem): Tone {
  const sla = r.urgency.sla;
  if (!sla) return 'muted';
  if (sla.msLeft <= 0) return 'bad';
  return sla.msLeft < 3_600_000 ? 'warn' : undefined;
}

function urgencyTone(score: number): Tone {
  if (score >= 60) return 'bad';
  if (score >= 30) return 'warn';
  return undefined;
}

async function explainBlocks(ctx: CliContext, items: QueueItem[], now: Date): Promise<string> {
  const paint = await painter(ctx.io);
  const width = ctx.io.columns ?? 100;
  const lines: string[] = [];
  for (const r of items) {
    const t = r.ticket;
    const slaPlain = r.urgency.sla ? `  SLA ${formatDuration(r.urgency.sla.msLeft)}` : '';
    const rest = `  #${t.id}  ${t.priority ?? '-'}`;
    const age = `  ${formatAge(t.created_at, now)} old  `;
    const headLength = 3 + rest.length + slaPlain.length + age.length;
    const subject = truncate(sanitizeLine(t.subject), Math.max(10, width - headLength));
    const sla = r.urgency.sla ? `  SLA ${paint(slaTone(r), formatDuration(r.urgency.sla.msLeft))}` : '';
    lines.push(`${paint(urgencyTone(r.urgency.score), String(r.urgency.score).padStart(3))}${rest}${sla}${age}${paint('strong', subject)}`);
    const who = `${sanitizeLine(r.requester?.name ?? `user ${t.requester_id}`)}${r.organization ? ` · ${sanitizeLine(r.organization.name)}` : ''}${r.vip ? ' (VIP)' : ''}`;
    lines.push(`       ${paint('muted', who)}`);
    for (const reason of r.urgency.reasons) {
      lines.push(`       ${paint('accent', `+${String(reason.points).padStart(2)}`)}  ${sanitizeLine(reason.label)}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}
