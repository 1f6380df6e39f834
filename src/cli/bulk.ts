/**
 * What the bulk commands (sweep, survey) share on the command line: --max-rate, the budgeted
 * desk, the profile's run lock with the takeover of interrupted runs, Ctrl-C, progress with an
 * ETA on stderr, and the request figures of a summary.
 */
import { describeWait } from '../api/pacer.js';
import type { CliContext } from './context.js';
import type { Connection } from '../api/helpdesk.js';
import { UsageError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { holdRuns, openBulkDesk, type BulkDesk, type BulkProgress, type LockHandle, type RunScope } from '../services/bulk/index.js';

/** "600", "600/min" or "600/m" -> 600. */
export function parseRate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*(\/\s*(m|min|minute))?\s*$/i.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--max-rate must be a number of requests per minute such as 600 or 600/min, got "${value}"`);
  return n;
}

/** The active profile's desk behind a request budget, and the scope of its runs of `kind`. */
export async function openBulk(ctx: CliContext, kind: string, maxRate: number | undefined): Promise<{ bulk: BulkDesk; connection: Connection; scope: RunScope }> {
  const connection = await ctx.connection();
  // the command's client options: --verbose's logger, the end signal, the endpoint limits and
  // their windows shared with other processes, the wait observers (progress lines)
  const { logger, ...client } = await ctx.clientOptions();
  const bulk = await openBulkDesk(connection, { maxRate, logger, client, onWarning: (m) => ctx.io.err(`warning: ${m}`) });
  ctx.rateSource(() => bulk.desk.rateLimit());
  const { deskIdentity } = await import('../services/desk-identity.js');
  return { bulk, connection, scope: { home: ctx.home(), kind, profile: connection.profile, desk: deskIdentity(connection) } };
}

/**
 * One run of this kind per profile: the lock (released when the command ends), a warning when
 * a dead process's lock is taken over, and a note when the new run takes interrupted ones over.
 */
export function holdRunLock(ctx: CliContext, scope: RunScope, command: string): { lock: LockHandle; takeOver: (runId: string) => void } {
  const held = holdRuns(scope, {
    command,
    onStale: (p) => ctx.io.err(`warning: taking over the lock of a ${scope.kind} that is no longer running (pid ${p.pid}${p.run_id ? `, run ${p.run_id}` : ''})`),
    onTakeOver: (ids) => ctx.io.err(`note: run ${ids.join(', ')} had been interrupted; what it did stays done, and this run does the rest`),
  });
  ctx.onExit(() => held.lock.release());
  return held;
}

/** Ctrl-C stops after the batches in flight; a second Ctrl-C quits at once. */
export function interruptible(ctx: CliContext): { signal: AbortSignal; dispose: () => void } {
  const abort = new AbortController();
  const onSigint = () => {
    ctx.io.err('\nstopping after the batches in flight (Ctrl-C again to quit at once)');
    abort.abort();
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  return { signal: abort.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** The requests a run made, for its summary. */
export function requestFigures(bulk: BulkDesk) {
  return {
    total: bulk.meter.total,
    writes: bulk.meter.writes,
    rate_limited: bulk.meter.rateLimited,
    max_per_minute: bulk.meter.maxInWindow(),
    budget_per_minute: bulk.budget.limit,
  };
}

/** A live count with an ETA on stderr, on a terminal only. Call done() to clear it. */
export function progressLine(ctx: CliContext, bulk: BulkDesk, label = 'sweep'): { update: (p: BulkProgress) => void; phase: (m: string) => void; done: () => void } {
  const tty = Boolean((ctx.io.stderr as { isTTY?: boolean }).isTTY);
  if (!tty) return { update: () => undefined, phase: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  const write = (text: string) => {
    ctx.io.stderr.write(`\r\x1b[K${text}`);
    shown = true;
  };
  ctx.onRateWait((wait) => write(`${label}: waiting: ${describeWait(wait)}`));
  return {
    phase(message) {
      write(`${label}: ${message.length > 100 ? `${message.slice(0, 99)}…` : message}`);
    },
    update(p) {
      const now = Date.now();
      const done = p.sent + p.skipped + p.failed;
      if (now - last < 200 && done < p.total) return;
      last = now;
      const elapsed = now - p.startedAt;
      const eta = done > 0 && done < p.total ? ` · ETA ${formatDuration((elapsed / done) * (p.total - done))}` : '';
      write(`${label}: ${done}/${p.total} · ${p.sent} sent · ${p.skipped} skipped · ${p.failed} failed · ${bulk.meter.total} requests${eta}`);
    },
    done() {
      if (shown) ctx.io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
