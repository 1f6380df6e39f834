/**
 * Builds the program and maps every error to a message and an exit code. The only module
 * that decides an exit code. Loads commander and nothing heavy: each command imports its
 * service, the HTTP client, the desk or Ink when it runs.
 */
import { Command, CommanderError, Option } from 'commander';
import { completeFrom } from './completion-values.js';
import { ConfigError, ExitCode, isDamagedDatabase, isDeskopsError } from '../core/errors.js';
import { createContext, type CliContext } from './context.js';
import { createIo, processIo, type Io } from './io.js';
import { registerTicketCommands } from './commands/ticket/index.js';
import { registerQueueCommands } from './commands/queue/index.js';
import { registerViewCommands } from './commands/view/index.js';
import { registerTemplateCommands } from './commands/template/index.js';
import { registerMacroCommands } from './commands/macro/index.js';
import { registerReplyCommands } from './commands/reply/index.js';
import { registerDeskCommands } from './commands/desk/index.js';
import { registerProfileCommands } from './commands/profile/index.js';
import { registerDoctorCommand } from './commands/doctor/index.js';
import { registerKpiCommands } from './commands/kpi/index.js';
import { registerSweepCommands } from './commands/sweep/index.js';
import { registerSurveyCommands } from './commands/survey/index.js';
import { registerInitCommand } from './commands/init.js';
import { registerCompletionCommand } from './commands/completion/index.js';
import { registerConfigCommands } from './commands/config/index.js';
import { VERSION } from '../core/version.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('deskops');
  program
    .description('Help-desk work from the terminal: triage, replies, follow-ups, surveys and KPIs.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(completeFrom(new Option('-p, --profile <name>', 'profile to use (env DESKOPS_PROFILE; default: the active profile, `local` out of the box)'), 'profiles'))
    .option('-v, --verbose', 'print each HTTP request to stderr (secrets redacted) and stacks on errors')
    .addOption(new Option('--no-color', 'no color (also NO_COLOR=1)'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `deskops: ${s}` : s),
    })
    .hook('preAction', (_this, actionCommand) => {
      const g = actionCommand.optsWithGlobals() as { profile?: string; verbose?: boolean; color?: boolean };
      ctx.globals.profile = g.profile;
      ctx.globals.verbose = Boolean(g.verbose);
      if (g.color === false) ctx.io.color = false;
    })
    .addHelpText(
      'after',
      `
Out of the box deskops works on an embedded local help desk with demo data (profile \`local\`).
Add a real desk with \`deskops profile add\` or \`deskops init\`.

Examples:
  $ deskops queue                            # my unsolved tickets, most urgent first
  $ deskops triage                           # work the queue on an interactive screen
  $ deskops queue --view "Urgent tickets"    # one of the desk's views (deskops view list)
  $ deskops ticket list --status open --json | jq length
  $ deskops ticket view 42
  $ deskops reply suggest 42                 # templates that fit the ticket
  $ deskops reply send 42 --template apology-delay --yes
  $ deskops reply send 42 --macro "Close and thank"   # the desk's macro, every change shown first
  $ deskops ticket update 42 --status pending --reply "Thanks, I've sent the refund."
  $ deskops doctor                           # check config, reachability and auth
  $ deskops completion bash > ~/.local/share/bash-completion/completions/deskops

Environment: DESKOPS_HOME (all state), DESKOPS_PROFILE, DESKOPS_URL, DESKOPS_EMAIL, DESKOPS_TOKEN, NO_COLOR.
Exit codes: 0 ok, 1 error, 2 usage or cancelled, 3 bulk job partially failed, 4 auth failed.`,
    );

  registerTicketCommands(program, ctx);
  registerQueueCommands(program, ctx);
  registerViewCommands(program, ctx);
  registerTemplateCommands(program, ctx);
  registerReplyCommands(program, ctx);
  registerMacroCommands(program, ctx);
  registerProfileCommands(program, ctx);
  registerInitCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  registerConfigCommands(program, ctx);
  registerKpiCommands(program, ctx);
  registerSweepCommands(program, ctx);
  registerSurveyCommands(program, ctx);
  registerDeskCommands(program, ctx);
  registerCompletionCommand(program, ctx);
  return program;
}

/**
 * Runs the CLI with argv (without node and script) and returns the exit code.
 * Tests call it with buffer streams; bin/deskops.js calls run().
 */
export async function main(argv: string[], ctx: CliContext = createContext(processIo())): Promise<number> {
  const program = buildProgram(ctx);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    return reportError(damagedFile(err, ctx) ?? err, ctx.io, verbose || Boolean(ctx.globals.verbose));
  } finally {
    await ctx.runExitHooks();
  }
}

/**
 * A damaged page of a local database met mid-command (SQLite finds one only when it reads it),
 * said as the file it is in and how to read it again, not as an unexpected error: the last
 * database the command opened (a command opens one: the replica, or Request Tracker's KPI cache).
 */
function damagedFile(err: unknown, ctx: CliContext): ConfigError | undefined {
  if (isDeskopsError(err) || !isDamagedDatabase(err)) return undefined;
  const file = ctx.databases[ctx.databases.length - 1];
  if (!file) return undefined;
  return new ConfigError(`${file.what} ${file.path} is damaged (${err instanceof Error ? err.message : String(err)})`, { hint: file.hint, cause: err });
}

function reportError(err: unknown, io: Io, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (help, version or a usage error)
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.ok;
    }
    if (err.code === 'commander.executeSubCommandAsync') return ExitCode.ok;
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (isDeskopsError(err)) {
    io.err(`deskops: ${oneLine(err.message)}`);
    if (err.hint) io.err(`hint: ${err.hint}`);
    if (verbose && err.stack) io.err(err.stack);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.err(`deskops: unexpected error: ${oneLine(e.message)}`);
  if (verbose && e.stack) io.err(e.stack);
  else io.err('hint: run again with --verbose for details');
  return ExitCode.error;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** Entry point for bin/deskops.js. */
export async function run(): Promise<void> {
  const io = processIo();
  // A closed pipe (deskops ... | head) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const code = await main(process.argv.slice(2), createContext(io));
  process.exitCode = code;
}

export { createIo };
