/**
 * Terminal prompts (@inquirer/prompts, loaded on first use) and the rule that goes with them:
 * prompts only on a terminal; without one a command that would ask fails fast and asks for --yes.
 */
import { Cancelled, UsageError } from '../core/errors.js';
import type { CliContext } from './context.js';

export function requireYesOrTerminal(ctx: CliContext, yes: boolean | undefined): void {
  if (!yes && !ctx.io.interactive) throw new UsageError('--yes required when not running interactively');
}

/** Ctrl-C or Ctrl-D at a prompt. */
export function isPromptAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

/**
 * The `{input, output}` context for an inquirer prompt on ctx.io. Each prompt ends its output
 * stream when done; process.stderr survives that, other streams (tests, wrappers) would not,
 * so every access gets a fresh pass-through that forwards writes and ignores the end.
 */
export async function promptStreams(ctx: CliContext): Promise<{ input: NodeJS.ReadableStream; readonly output: NodeJS.WritableStream }> {
  const { Writable } = await import('node:stream');
  const stderr = ctx.io.stderr as NodeJS.WritableStream & { columns?: number; rows?: number };
  const fresh = () =>
    Object.assign(
      new Writable({
        // Passed through at once: waiting for stderr's callback queued the prompt's last
        // newline behind what deskops printed next ("API token: ****checking ...").
        write(chunk: Buffer | string, _encoding, callback) {
          stderr.write(chunk);
          callback();
        },
      }),
      { isTTY: true, columns: stderr.columns, rows: stderr.rows },
    );
  return {
    input: ctx.io.stdin,
    get output() {
      return fresh();
    },
  };
}

/**
 * Asks a yes/no question (default no) unless `yes` was given. Throws UsageError without a
 * terminal, and Cancelled (exit 2) with `cancelledMessage` on no or Ctrl-C.
 */
export async function confirmOrCancel(
  ctx: CliContext,
  options: { yes?: boolean; question: string; cancelledMessage: string },
): Promise<void> {
  if (options.yes) return;
  requireYesOrTerminal(ctx, false);
  const [{ confirm }, streams] = await Promise.all([import('@inquirer/prompts'), promptStreams(ctx)]);
  let ok: boolean;
  try {
    ok = await confirm({ message: options.question, default: false }, streams as never);
  } catch (err) {
    if (isPromptAbort(err)) throw new Cancelled(options.cancelledMessage);
    throw err;
  }
  if (!ok) throw new Cancelled(options.cancelledMessage);
}

/** Asks for a secret on the terminal without echoing it (each key shows as *). Cancelled on Ctrl-C. */
export async function askSecret(ctx: CliContext, message: string): Promise<string> {
  const [{ password }, streams] = await Promise.all([import('@inquirer/prompts'), promptStreams(ctx)]);
  try {
    const secret = await password({ message, mask: '*' }, streams as never);
    ctx.io.err(''); // the prompt leaves its last line open
    return secret;
  } catch (err) {
    if (isPromptAbort(err)) throw new Cancelled('cancelled: no token stored');
    throw err;
  }
}
