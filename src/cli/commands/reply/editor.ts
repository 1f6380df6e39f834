/**
 * Hands the terminal to $VISUAL / $EDITOR (default vi). Only called on a terminal: callers
 * check ctx.io.interactive first, so tests and scripts never start an editor.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeskopsError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';

export function editorCommand(env: NodeJS.ProcessEnv): string {
  return (env.VISUAL || env.EDITOR || 'vi').trim();
}

/** Opens `file` in the editor and waits for it to exit. */
export function openInEditor(ctx: CliContext, file: string): void {
  const editor = editorCommand(ctx.env);
  const r = spawnSync(`${editor} '${file.replace(/'/g, "'\\''")}'`, { shell: true, stdio: 'inherit', env: ctx.env });
  if (r.error) throw new DeskopsError(`could not start the editor "${editor}" (${r.error.message})`, { hint: 'set EDITOR' });
  if (r.status !== 0) throw new DeskopsError(`the editor "${editor}" exited with status ${r.status ?? r.signal}`);
}

/** Edits `initial` in a private temp file and returns the text as saved. */
export function editText(ctx: CliContext, initial: string, name = 'reply.txt'): string {
  const dir = mkdtempSync(join(tmpdir(), 'deskops-reply-'));
  const file = join(dir, name);
  try {
    writeFileSync(file, initial, { mode: 0o600 });
    openInEditor(ctx, file);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
