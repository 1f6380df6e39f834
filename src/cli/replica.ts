import type { HelpDesk } from '../api/helpdesk.js';
import type { ReplicaSession } from '../services/replica/session.js';
import type { CliContext } from './context.js';

/**
 * The profile's ticket replica for a command that reads tickets (queue, triage, ticket list,
 * sweep and survey planning),
 * closed when the command ends; undefined for a desk it does not serve (Request Tracker).
 * `fresh` (--fresh) starts it empty, so everything is read again.
 */
export async function openReplica(ctx: CliContext, desk: HelpDesk, options: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<ReplicaSession | undefined> {
  const { ReplicaSession } = await import('../services/replica/session.js');
  const { REPLICA_AGAIN } = await import('../services/replica/store.js');
  const session = ReplicaSession.open({ home: ctx.home(), desk, now: ctx.now, fresh: options.fresh, signal: options.signal });
  if (session) {
    ctx.onExit(() => session.close());
    ctx.openedDatabase({ what: 'the ticket replica', path: session.replica.path, hint: REPLICA_AGAIN });
  }
  return session;
}

/** Whether the profile has a replica already (filled by an earlier queue, triage or list). */
export async function hasReplica(ctx: CliContext, desk: HelpDesk): Promise<boolean> {
  const { ReplicaSession } = await import('../services/replica/session.js');
  return ReplicaSession.exists(ctx.home(), desk);
}

/**
 * What sweeps and surveys read tickets from on a desk the replica serves: the replica
 * (synced by the planner) and, with --verbose, a notice for what is searched all the same.
 * Nothing for Request Tracker: its searches read its database, nothing trails.
 */
export async function planningSource(ctx: CliContext, desk: HelpDesk): Promise<{ source?: ReplicaSession; onNotice?: (message: string) => void }> {
  const source = await openReplica(ctx, desk);
  if (!source) return {};
  return { source, ...(ctx.globals.verbose ? { onNotice: (m: string) => ctx.io.err(`> ${m}`) } : {}) };
}
