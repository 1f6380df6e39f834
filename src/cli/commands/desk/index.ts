/**
 * `deskops desk serve|seed|reset`: the embedded local help desk. Flags and help are
 * registered here; each action imports its implementation (and the desk) only when it runs.
 */
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

export function registerDeskCommands(program: Command, ctx: CliContext): void {
  const desk = program
    .command('desk')
    .description('the embedded local help desk (Zendesk API v2 dialect) with demo data')
    .addHelpText(
      'after',
      `
The local desk keeps its data in $DESKOPS_HOME/desk (SQLite) and its agent token in
$DESKOPS_HOME/desk/credentials.json (mode 0600). The \`local\` profile starts it in-process;
\`deskops desk serve\` runs it as a server that other tools and shells can use.`,
    );

  desk
    .command('serve')
    .description('run the local desk as an HTTP server until Ctrl-C (prints export lines for DESKOPS_URL and friends)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <address>', 'loopback address to listen on (127.0.0.1, ::1 or localhost)', '127.0.0.1')
    .option('--plan <name>', 'the Zendesk plan whose limits to keep: team, growth, professional, enterprise, enterprise-plus', 'enterprise')
    .option('--rate-limit <n>', "the account's requests per minute, instead of the plan's")
    .option('--latency <time>', 'added before every answer, like a network round trip: 150ms, 0.2s', '0ms')
    .option('--index-lag <seconds>', 'how long a ticket change takes to reach search and the search export, as on Zendesk', '30')
    .option('--faults <spec>', 'inject faults, e.g. "429=0.1,500=0.05,reset=0.01,slow=0.02" (probabilities per request)')
    .option('--fault-seed <n>', 'seed of the fault generator, to replay the same faults', '1')
    .addHelpText(
      'after',
      `
Results (export lines) go to stdout, one log line per request to stderr.

Limits are Zendesk's: the plan's requests a minute for the whole account (team 200, growth
and professional 400, enterprise 700, enterprise-plus 2,500), incremental exports 10 a
minute (30 on enterprise-plus), ticket updates 100 a minute and 30 per 10 minutes per user
per ticket, list tickets 100 a minute (50 past page 500), 30 queued jobs; 429 with
Retry-After.
Search sees a change after --index-lag seconds, as Zendesk's search index trails its tickets.

Examples:
  $ deskops desk serve
  $ deskops desk serve --port 8080 > desk.env & sleep 1; . ./desk.env; deskops ticket list
  $ deskops desk serve --plan team --latency 150ms      # what a small account over a network feels like
  $ deskops desk serve --rate-limit 60 --faults "429=0.1,reset=0.02" --fault-seed 7`,
    )
    .action(async (opts) => (await import('./serve.js')).deskServe(ctx, opts));

  desk
    .command('seed')
    .description('wipe the local desk and rebuild its demo data (makes a new token)')
    .option('--tickets <n>', 'number of demo tickets', '500')
    .option('--seed <n>', 'random seed: the same seed gives the same demo data', '1')
    .option('-y, --yes', 'do not ask for confirmation (required when not interactive)')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops desk seed
  $ deskops desk seed --tickets 5000 --seed 42 --yes
  $ DESKOPS_HOME=/tmp/bench deskops desk seed --tickets 100000 --yes`,
    )
    .action(async (opts) => (await import('./seed.js')).deskSeed(ctx, opts));

  desk
    .command('reset')
    .description('delete the local desk and its credentials (the next use seeds it again)')
    .option('-y, --yes', 'do not ask for confirmation (required when not interactive)')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops desk reset
  $ deskops desk reset --yes && deskops ticket list   # starts again from fresh demo data`,
    )
    .action(async (opts) => (await import('./seed.js')).deskReset(ctx, opts));

  desk
    .command('answer-surveys')
    .description('let the demo customers answer the surveys sent to them (so `survey collect` has answers to read)')
    .option('--rate <share>', 'share of waiting surveys answered, 0 to 1', '0.7')
    .option('--seed <n>', 'random seed: the same seed gives the same answers', '1')
    .option('--json', 'print the counts as a JSON object')
    .addHelpText(
      'after',
      `
Writes on the local desk only: for each ticket with a survey and no reply from its customer
since, a share of customers reply as people do: mostly a number, sometimes "9/10", "I'd give
it a 9", "nine" or a number with a comment, a few unclear ("between 7 and 8") and a few with
no number at all. A reply reopens a solved ticket, as on Zendesk.

Examples:
  $ deskops survey send --type nps --since 30d --yes && deskops desk answer-surveys && deskops survey collect
  $ deskops desk answer-surveys --rate 1 --seed 7 --json`,
    )
    .action(async (opts) => (await import('./answer-surveys.js')).deskAnswerSurveys(ctx, opts));
}
