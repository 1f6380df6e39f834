import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import type { CompletionList } from '../../completion-values.js';
import { UsageError } from '../../../core/errors.js';
import { completionScript } from './scripts.js';
import type { CompletionShell } from './shells.js';

export interface CompletionFlags {
  list?: CompletionList;
}

export async function completion(ctx: CliContext, command: Command, shell: CompletionShell | undefined, flags: CompletionFlags): Promise<void> {
  if (flags.list !== undefined) {
    if (shell !== undefined) throw new UsageError('completion --list takes no shell');
    const names = await listNames(ctx, flags.list);
    if (names.length > 0) ctx.io.out(names.join('\n'));
    return;
  }
  if (shell === undefined) throw new UsageError('completion needs a shell: bash, zsh or fish');
  let root = command;
  while (root.parent) root = root.parent;
  ctx.io.out(completionScript(shell, root));
}

/** The names the script completes from: read locally, never from the desk. */
async function listNames(ctx: CliContext, list: CompletionList): Promise<string[]> {
  switch (list) {
    case 'profiles':
      return (await ctx.config()).profiles().map((p) => p.name);
    case 'templates': {
      const { loadLibrary } = await import('../../../services/replies.js');
      const library = await loadLibrary({ home: ctx.home() });
      return [...new Set(library.templates.map((t) => t.name))].sort();
    }
  }
}
