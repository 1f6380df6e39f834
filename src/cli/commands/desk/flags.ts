/** Flag parsing and the wipe confirmation shared by the desk commands. */
import { Cancelled, UsageError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';

/** An integer flag within [min, max]; anything else is a one-line UsageError. */
export function parseIntegerFlag(value: string, flag: string, min: number, max: number): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${text}`);
  return n;
}

/**
 * Asks before wiping the desk. With --yes it does not ask; without a terminal it refuses,
 * so a script never blocks on a prompt it cannot answer.
 */
export async function confirmWipe(ctx: CliContext, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!ctx.io.interactive) throw new UsageError('--yes required when not running interactively');
  const { confirm } = await import('@inquirer/prompts');
  const { Writable } = await import('node:stream');
  const stderr = ctx.io.stderr as NodeJS.WritableStream & { columns?: number; rows?: number };
  // The prompt ends its output stream when done; keep ctx.io.stderr open by forwarding writes.
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        stderr.write(chunk, (err) => callback(err ?? null));
      },
    }),
    { isTTY: true, columns: stderr.columns, rows: stderr.rows },
  );
  let ok: boolean;
  try {
    ok = await confirm({ message: question, default: false }, { input: ctx.io.stdin, output });
  } catch (err) {
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) throw new Cancelled();
    throw err;
  }
  if (!ok) throw new Cancelled('cancelled; the desk was not changed');
}
