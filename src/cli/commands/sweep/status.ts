import type { CliContext } from '../../context.js';
import { formatTimestamp } from '../../../core/time.js';
import { runHistory, type RunSummary } from '../../../services/bulk/index.js';
import { SWEEP_KIND } from '../../../services/sweep.js';
import { printList, type Column } from '../../output.js';
import { currentProfile } from './profile.js';

interface StatusFlags {
  json?: boolean;
}

const groupColumns: Column<RunSummary['groups'][number]>[] = [
  { key: 'group', header: 'RULE' },
  { key: 'planned', header: 'PLANNED', align: 'right' },
  { key: 'sent', header: 'SENT', align: 'right' },
  { key: 'skipped', header: 'SKIPPED', align: 'right' },
  { key: 'failed', header: 'FAILED', align: 'right', tone: (r) => (r.failed > 0 ? 'bad' : 'muted') },
];

export async function sweepStatus(ctx: CliContext, flags: StatusFlags): Promise<void> {
  const profile = await currentProfile(ctx);
  const [last] = runHistory({ home: ctx.home(), kind: SWEEP_KIND }, { profile, limit: 1 });
  if (!last) {
    if (flags.json) ctx.io.out(JSON.stringify({ status: 'none', profile }, null, 2));
    else ctx.io.err(`no sweep has run on profile ${profile} yet; try \`deskops sweep plan\``);
    return;
  }
  if (flags.json) {
    // the rules the run recorded (for resume) are left out: what was asked is enough here
    const { steps: _steps, templates: _templates, calendar: _calendar, ...asked } = last.meta;
    ctx.io.out(JSON.stringify({ ...last, meta: asked }, null, 2));
    return;
  }
  const done = last.sent + last.skipped + last.failed;
  const pct = last.planned > 0 ? Math.floor((done / last.planned) * 100) : 100;
  ctx.io.out(
    [
      `run ${last.run_id} on profile ${last.profile}: ${describe(last)}`,
      `started ${formatTimestamp(last.started_at)} UTC · last activity ${formatTimestamp(last.last_at)} UTC${last.resumes ? ` · resumed ${last.resumes}x` : ''}`,
      `${done}/${last.planned} done (${pct}%): ${last.sent} sent, ${last.skipped} skipped, ${last.failed} failed` +
        (last.to_do ? ` · ${last.to_do} to do${last.in_doubt ? ` (${last.in_doubt} in doubt: checked on the desk before anything is resent)` : ''}` : ''),
      '',
    ].join('\n'),
  );
  await printList(ctx.io, last.groups, groupColumns, {});
  if (last.status === 'interrupted') ctx.io.err(`finish it with \`deskops sweep resume ${last.run_id}\` (or run the sweep again)`);
}

function describe(s: RunSummary): string {
  switch (s.status) {
    case 'running':
      return `running (pid ${s.pid})`;
    case 'interrupted':
      return 'interrupted';
    case 'partial':
      return 'finished with failures';
    default:
      return s.status;
  }
}
