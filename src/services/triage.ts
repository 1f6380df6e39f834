/**
 * Triage actions on the desk, shared by the triage screen and anything else that acts on a
 * queue: one action (assign, escalate, priority, tag, status, note, reply, template reply)
 * turned into the desk's update for one ticket or many, with handle time recorded in the same
 * update, and the per-ticket outcome of a bulk change. No Ink here: the screen calls these.
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { JobStatus, Ticket, TicketField, TicketStatus, TicketUpdate, User } from '../core/model.js';
import type { RenderedReply } from './replies.js';
import type { MacroPlan } from '../core/macros.js';
import { ApiError, ConfigError, NotFoundError, UsageError } from '../core/errors.js';
import {
  LAST_UPDATE_TIME_FIELD_SETTING,
  LAST_UPDATE_TIME_FIELD_TITLE,
  TOTAL_TIME_FIELD_SETTING,
  TOTAL_TIME_FIELD_TITLE,
  timeTrackingValues,
  type TimeTrackingFields,
} from '../core/handle-time.js';
import {
  escalationNote,
  parsePriority,
  parseStatus,
  parseTagInput,
  raisePriority,
} from '../core/triage.js';
import { resolveAgent, resolveGroup } from './tickets.js';

export type TriageAction =
  | { kind: 'assign'; who: string }
  | { kind: 'escalate'; reason: string }
  | { kind: 'priority'; priority: string }
  | { kind: 'tag'; input: string }
  | { kind: 'status'; status: string }
  | { kind: 'note'; body: string }
  | { kind: 'reply'; body: string; /** set in the same update as the reply */ status?: TicketStatus }
  /**
   * A rendered template (services/replies renderForTicket): its body exactly as previewed, as
   * a public reply or, with `note`, an internal note, with the template's status, priority
   * and tags, in the same one update that sendReply would send.
   */
  | { kind: 'templateReply'; reply: RenderedReply; note: boolean; /** sent and set in the same update */ status?: TicketStatus }
  /**
   * One of the desk's macros as previewed (services/macros previewMacro): exactly the changes
   * shown, for the ticket as it was when previewed (the update is safe against that version).
   */
  | { kind: 'macro'; plan: MacroPlan };

export interface ActionEnv {
  desk: HelpDesk;
  /** Group escalations go to (config triage.escalation_group). */
  escalationGroup: string;
  /** The custom fields handle time goes to, or null when the desk has none. */
  timeFields: TimeTrackingFields | null;
}

/** What one action does to each ticket: resolved once, applied per ticket. */
export interface PlannedAction {
  action: TriageAction;
  /** The desk update for a ticket, before handle time is added. */
  updateFor(ticket: Ticket): TicketUpdate;
  /** One line for the status line, e.g. "assigned to Ana Lopez". */
  summary: string;
}

/**
 * Checks the action's input and resolves names to ids (agent, group). Throws UsageError for
 * an unknown status, priority, agent or group: nothing is sent then.
 */
export async function planAction(env: ActionEnv, action: TriageAction): Promise<PlannedAction> {
  const { desk } = env;
  switch (action.kind) {
    case 'assign': {
      const who = action.who.trim();
      if (who === '') throw new UsageError('no agent given');
      const id = await resolveAgent(desk, who);
      const name = id === null ? 'nobody' : who === 'me' ? 'me' : await agentName(desk, id, who);
      return { action, summary: id === null ? 'unassigned' : `assigned to ${name}`, updateFor: () => ({ assignee_id: id }) };
    }
    case 'escalate': {
      const reason = action.reason.trim();
      if (reason === '') throw new UsageError('an escalation needs a reason');
      const groupId = await resolveGroup(desk, env.escalationGroup);
      if (groupId === null) throw new UsageError('the escalation group cannot be "none"');
      const me = await desk.me().catch(() => undefined);
      return {
        action,
        summary: `escalated to ${env.escalationGroup}`,
        updateFor: (ticket) => {
          const to = raisePriority(ticket.priority);
          return {
            group_id: groupId,
            priority: to,
            additional_tags: ['escalated'],
            comment: {
              body: escalationNote({ reason, group: env.escalationGroup, from: ticket.priority, to, agent: me?.name }),
              public: false,
            },
          };
        },
      };
    }
    case 'priority': {
      const priority = parsePriority(action.priority);
      return { action, summary: `priority ${priority}`, updateFor: () => ({ priority }) };
    }
    case 'status': {
      const status = parseStatus(action.status);
      return { action, summary: `status ${status}`, updateFor: () => ({ status }) };
    }
    case 'tag': {
      const { add, remove } = parseTagInput(action.input);
      const parts = [...add.map((t) => `+${t}`), ...remove.map((t) => `-${t}`)];
      return {
        action,
        summary: `tags ${parts.join(' ')}`,
        updateFor: () => ({
          ...(add.length ? { additional_tags: add } : {}),
          ...(remove.length ? { remove_tags: remove } : {}),
        }),
      };
    }
    case 'note':
    case 'reply': {
      const body = action.body.replace(/\s+$/, '');
      if (body.trim() === '') throw new UsageError(`the ${action.kind} is empty`);
      const isPublic = action.kind === 'reply';
      const status = action.kind === 'reply' ? action.status : undefined;
      return {
        action,
        summary: `${isPublic ? 'reply sent' : 'internal note added'}${status ? `, status ${status}` : ''}`,
        updateFor: () => ({ comment: { body, public: isPublic }, ...(status ? { status } : {}) }),
      };
    }
    case 'templateReply': {
      // Loaded here, not up front: the template engine is only needed once a reply is sent.
      const { replyUpdate } = await import('./replies.js');
      const update = replyUpdate(action.reply, { note: action.note, ...(action.status ? { status: action.status } : {}) });
      const what = update.comment!.public ? 'reply sent' : 'internal note added';
      const status = action.status ? `, status ${action.status}` : '';
      return {
        action,
        summary: `${action.reply.template ? `${what} (${action.reply.template})` : what}${status}`,
        updateFor: (ticket) => {
          if (ticket.id !== action.reply.ticketId) throw new UsageError(`the reply was written for #${action.reply.ticketId}, not #${ticket.id}`);
          return { ...update, ...(update.additional_tags ? { additional_tags: [...update.additional_tags] } : {}) };
        },
      };
    }
    case 'macro': {
      const { plan } = action;
      if (Object.keys(plan.update).length === 0) throw new UsageError(`macro "${plan.macro.title}" changes nothing on #${plan.ticketId}; nothing was sent`);
      const what = plan.comment ? (plan.comment.public ? ', reply sent' : ', note added') : '';
      return {
        action,
        summary: `macro "${plan.macro.title}" applied${what}`,
        updateFor: (ticket) => {
          if (ticket.id !== plan.ticketId) throw new UsageError(`the macro was previewed for #${plan.ticketId}, not #${ticket.id}`);
          if (ticket.updated_at !== plan.before.updated_at) throw new UsageError(`#${ticket.id} changed since the macro was previewed; apply it again`);
          return { ...plan.update };
        },
      };
    }
    default: {
      const never: never = action;
      throw new UsageError(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

async function agentName(desk: HelpDesk, id: number, fallback: string): Promise<string> {
  try {
    const [user] = await desk.getUsers([id]);
    return user?.name ?? fallback;
  } catch {
    return fallback;
  }
}

/** The update for one ticket with `seconds` of handle time recorded in it. */
export function withHandleTime(
  update: TicketUpdate,
  ticket: Ticket,
  seconds: number,
  fields: TimeTrackingFields | null,
): TicketUpdate {
  if (!fields) return update;
  const values = timeTrackingValues(ticket, seconds, fields);
  if (values.length === 0) return update;
  const others = (update.custom_fields ?? []).filter((f) => f.id !== fields.totalFieldId && f.id !== fields.lastUpdateFieldId);
  return { ...update, custom_fields: [...others, ...values] };
}

export interface TicketOutcome {
  id: number;
  ok: boolean;
  /** The desk's ticket after the change, when it sent it or it was re-read. */
  ticket?: Ticket;
  error?: string;
}

/**
 * Sends one ticket's update as a safe update (based on the updated_at the screen showed), so
 * a change made meanwhile by someone else is refused rather than overwritten.
 */
export async function applyToOne(desk: HelpDesk, ticket: Ticket, update: TicketUpdate): Promise<Ticket> {
  return desk.updateTicket(ticket.id, update, { ifUnmodifiedSince: ticket.updated_at });
}

/**
 * Sends per-ticket updates with update_many (100 at a time), waits for each job, re-reads the
 * tickets that changed and returns one outcome per ticket, in the order given.
 */
export async function applyToMany(
  desk: HelpDesk,
  updates: Array<{ ticket: Ticket; update: TicketUpdate }>,
  options: { timeoutMs?: number } = {},
): Promise<TicketOutcome[]> {
  const outcomes = new Map<number, TicketOutcome>();
  for (let i = 0; i < updates.length; i += 100) {
    const batch = updates.slice(i, i + 100);
    let job: JobStatus;
    try {
      const queued = await desk.updateMany({ tickets: batch.map((u) => ({ id: u.ticket.id, ...u.update })) });
      job = await desk.waitForJob(queued.id, { timeoutMs: options.timeoutMs ?? 120_000 });
    } catch (err) {
      for (const u of batch) outcomes.set(u.ticket.id, { id: u.ticket.id, ok: false, error: errorText(err) });
      continue;
    }
    const results = job.results ?? [];
    batch.forEach((u, index) => {
      const r = results.find((x) => x.id === u.ticket.id) ?? results.find((x) => x.index === index);
      const ok = job.status === 'completed' && r !== undefined && r.success !== false && !r.error;
      outcomes.set(u.ticket.id, ok
        ? { id: u.ticket.id, ok: true }
        : { id: u.ticket.id, ok: false, error: r?.details ?? r?.error ?? job.message ?? `job ${job.status}` });
    });
  }
  const changed = [...outcomes.values()].filter((o) => o.ok).map((o) => o.id);
  if (changed.length > 0) {
    try {
      for (const t of await desk.getTickets(changed)) {
        const o = outcomes.get(t.id);
        if (o) o.ticket = t;
      }
    } catch {
      // the change is made; the screen keeps its optimistic copy until the next refresh
    }
  }
  return updates.map((u) => outcomes.get(u.ticket.id)!);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The two Time Tracking fields: ids from config (time_tracking.total_field_id and
 * time_tracking.last_update_field_id) when set, else found by title among the desk's ticket
 * fields. Null when the desk has neither: handle time is then not recorded.
 */
export async function resolveTimeTrackingFields(
  desk: Pick<HelpDesk, 'listTicketFields'>,
  settings: { totalFieldId?: unknown; lastUpdateFieldId?: unknown },
): Promise<TimeTrackingFields | null> {
  const configured = (value: unknown, key: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
      throw new ConfigError(`setting ${key} must be a ticket field id (a positive whole number), got ${JSON.stringify(value)}`);
    }
    return n;
  };
  let total = configured(settings.totalFieldId, TOTAL_TIME_FIELD_SETTING);
  let last = configured(settings.lastUpdateFieldId, LAST_UPDATE_TIME_FIELD_SETTING);
  if (total === undefined || last === undefined) {
    let fields: TicketField[];
    try {
      fields = await desk.listTicketFields();
    } catch (err) {
      if (err instanceof NotFoundError || (err instanceof ApiError && err.status === 404)) return null;
      throw err;
    }
    const byTitle = (title: string) =>
      fields.find((f) => f.title.trim().toLowerCase() === title.toLowerCase() && f.active !== false)?.id;
    total ??= byTitle(TOTAL_TIME_FIELD_TITLE);
    last ??= byTitle(LAST_UPDATE_TIME_FIELD_TITLE);
  }
  if (total === undefined || last === undefined) return null;
  return { totalFieldId: total, lastUpdateFieldId: last };
}

/** Agents and admins for the assign picker: `me` first, then by name. */
export async function listAssignees(desk: HelpDesk): Promise<{ me: User | undefined; agents: User[] }> {
  const agents: User[] = [];
  const [me] = await Promise.all([
    desk.me().catch(() => undefined),
    (async () => {
      for await (const u of desk.listUsers({ role: 'agent' })) agents.push(u);
      for await (const u of desk.listUsers({ role: 'admin' })) agents.push(u);
    })(),
  ]);
  const seen = new Set<number>();
  const unique = agents.filter((a) => a.active !== false && !seen.has(a.id) && seen.add(a.id));
  unique.sort((a, b) => a.name.localeCompare(b.name));
  return { me, agents: unique };
}
