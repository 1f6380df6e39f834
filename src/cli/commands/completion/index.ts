/**
 * `deskops completion bash|zsh|fish`: a shell completion script built from the program
 * itself, and the hidden `deskops completion --list profiles|templates` the script calls for
 * names only deskops knows.
 */
import { Argument, Option, type Command } from 'commander';
import type { CliContext } from '../../context.js';
import { COMPLETION_LISTS } from '../../completion-values.js';
import type { CompletionFlags } from './run.js';
import { COMPLETION_SHELLS, type CompletionShell } from './shells.js';

export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish: commands, flags, profiles and templates')
    .addArgument(new Argument('[shell]', 'bash, zsh or fish').choices(COMPLETION_SHELLS))
    // What the script runs to complete profile and template names.
    .addOption(new Option('--list <names>', 'print the names of these, one a line').choices(COMPLETION_LISTS).hideHelp())
    .addHelpText(
      'after',
      `
The script completes commands, subcommands and their flags, the values of flags that take a
fixed set (--status, --priority...), and profile and template names, which it asks deskops
for as you type, so new ones complete without installing the script again. Install it again
after upgrading deskops, for new commands and flags.

Examples:
  $ deskops completion bash > ~/.local/share/bash-completion/completions/deskops
  $ source <(deskops completion bash)                      # this bash session only
  $ deskops completion zsh > ~/.zfunc/_deskops             # with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc
  $ deskops completion fish > ~/.config/fish/completions/deskops.fish`,
    )
    .action(async (shell: CompletionShell | undefined, flags: CompletionFlags, command: Command) =>
      (await import('./run.js')).completion(ctx, command, shell, flags),
    );
}
