import { Option, type Command } from 'commander';
import type { CliContext } from '../../context.js';
import { GROUP_DIMENSIONS, METRIC_IDS } from '../../../core/kpi/types.js';
import { BUCKET_SIZES } from '../../../core/kpi/period.js';

function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--since <span>', 'the period up to now: 7d, 4w, 3m or 1y')
    .option('--from <date>', 'first day of the period, e.g. 2026-10-01 (UTC)')
    .option('--to <date>', 'last day of the period, included (default: up to now)')
    .option('--business-hours', 'reply, resolution and SLA times in business minutes instead of calendar minutes')
    .option('--customers <file>', 'customers CSV for churn (columns: id or name, active_from, churned_at) instead of the desk\'s organizations')
    .option('--no-cache', 'read every ticket from the desk into a throwaway copy, not the ticket replica')
    .option('--refresh', 'empty the ticket replica (its KPI rows too) and read it again from the desk');
}

function addFormatOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--json', `print ${what} as JSON`)
    .option('--csv', `print ${what} as CSV`)
    .option('--plain', `print ${what} tab-separated, no color (the default when piped)`);
}

export function registerKpiCommands(program: Command, ctx: CliContext): void {
  const kpi = addFormatOptions(
    addSourceOptions(
      program
        .command('kpi')
        .description('service KPIs for a period: handle time, FCR, CSAT, NPS, CES, churn, reply and resolution times, complaints, backlog, SLA'),
    )
      // No commander choices: `kpi trend` reads --by (day, week, month) through this option
      // too, as the parent parses options that follow the subcommand. Each action checks it.
      .option('--by <dimension>', `split by ${GROUP_DIMENSIONS.join(', ')}`)
      .addOption(new Option('--compare <period>', 'add the previous period of the same length and the change').choices(['previous']))
      .option('--metrics <list>', `comma-separated metric ids (default all): ${METRIC_IDS.join(',')}`)
      .option('--watch', 'a dashboard on the terminal that refreshes itself (q quits)')
      .option('--interval <time>', 'refresh interval for --watch: 30s, 2m', '30s'),
    'the KPIs',
  )
    .addHelpText(
      'after',
      `
Periods are UTC. The first run reads the desk's whole incremental export into the ticket
replica under $DESKOPS_HOME/cache (the one queue and ticket list read); later runs read only
what changed since, and the metrics of the tickets changed. Definitions: docs/kpi.md.

Examples:
  $ deskops kpi                                  # the last 30 days
  $ deskops kpi --since 7d --compare previous    # this week against the week before
  $ deskops kpi --from 2026-10-01 --to 2026-10-31 --by group
  $ deskops kpi --metrics csat,fcr,aht --by agent --json | jq '.[] | {group, csat: .metrics.csat.value}'
  $ deskops kpi --since 3m --csv > kpis.csv
  $ deskops kpi --metrics churn_rate --customers customers.csv
  $ deskops kpi --watch --interval 1m`,
    )
    .action(async (opts) => {
      if (opts.watch) return (await import('./watch.js')).kpiWatch(ctx, opts);
      return (await import('./report.js')).kpiReport(ctx, opts);
    });

  addFormatOptions(
    addSourceOptions(
      kpi
        .command('trend')
        .argument('<metric>', `one of ${METRIC_IDS.join(', ')}`)
        .description('one metric over time: a chart and its numbers per day, week or month'),
    ).option('--by <bucket>', `bucket size: ${BUCKET_SIZES.join(', ')} (default week)`),
    'the series',
  )
    .addHelpText(
      'after',
      `
Default period: --since 90d. Weeks are ISO weeks (Monday to Sunday, UTC); the first and last
buckets are cut to the period.

Examples:
  $ deskops kpi trend created
  $ deskops kpi trend first_reply_time --by day --since 30d
  $ deskops kpi trend csat --by month --since 1y --json`,
    )
    // Options after `trend` are parsed by `kpi` (same names): read them merged.
    .action(async (metric, _opts, command: Command) => (await import('./trend.js')).kpiTrend(ctx, metric, command.optsWithGlobals()));
}
