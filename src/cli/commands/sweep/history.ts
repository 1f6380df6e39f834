import type { CliContext } from '../../context.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { formatTimestamp } from '../../../core/time.js';
import { runHistory, type RunSummary } from '../../../services/bulk/index.js';
import { SWEEP_KIND } from '../../../services/sweep.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import { currentProfile } from './profile.js';

interface HistoryFlags extends OutputFlags {
  limit?: string;
  allProfiles?: boolean;
}

const columns: Column<RunSummary>[] = [
  { key: 'run_id', header: 'RUN' },
  { key: 'profile', header: 'PROFILE' },
  { key: 'status', header: 'STATUS', tone: (r) => (r.status === 'completed' ? 'good' : r.status === 'partial' || r.status === 'interrupted' ? 'warn' : undefined) },
  { key: 'started_at', header: 'STARTED (UTC)', get: (r) => formatTimestamp(r.started_at) },
  { key: 'planned', header: 'PLANNED', align: 'right' },
  { key: 'sent', header: 'SENT', align: 'right' },
  { key: 'skipped', header: 'SKIPPED', align: 'right' },
  { key: 'failed', header: 'FAILED', align: 'right', tone: (r) => (r.failed > 0 ? 'bad' : 'muted') },
  { key: 'to_do', header: 'TO DO', align: 'right' },
];

export async function sweepHistory(ctx: CliContext, flags: HistoryFlags): Promise<void> {
  const limit = parsePositiveInt(flags.limit ?? '20', '--limit');
  const profile = flags.allProfiles ? undefined : await currentProfile(ctx);
  const runs = runHistory({ home: ctx.home(), kind: SWEEP_KIND }, { profile, limit });
  await printList(ctx.io, runs, columns, flags, {
    emptyMessage: profile ? `no sweeps on profile ${profile} yet` : 'no sweeps yet',
    toJson: ({ meta: _meta, ...rest }) => rest,
  });
}
