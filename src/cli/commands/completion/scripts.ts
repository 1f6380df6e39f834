/**
 * Completion scripts for bash, zsh and fish, built from the commander program: its commands
 * and aliases, their options and arguments, the choices of those that have them, and the
 * profile and template names marked with completeFrom (asked of `deskops completion --list`
 * as the user types, so the script stays small and never goes stale on them).
 *
 * Each script carries the same tables as shell functions, keyed by the command path (the
 * subcommand names from the top, "ticket list"), and one function that walks the words
 * before the cursor: subcommands extend the path, an option that takes a value skips it,
 * anything else is a positional argument.
 */
import type { Argument, Command, Option } from 'commander';
import { completionListOf, type CompletionList } from '../../completion-values.js';
import type { CompletionShell } from './shells.js';

/** How a value completes: a fixed set, a list deskops prints, or anything (file names). */
type Values = { words: readonly string[] } | { list: CompletionList } | 'free';

interface OptionSpec {
  flags: string[];
  description: string;
  /** null for a flag that takes no value. */
  values: Values | null;
}

interface CommandSpec {
  /** Subcommand names from the top, space-separated; '' for deskops itself. */
  path: string;
  /** The name and its aliases. */
  names: string[];
  description: string;
  /** Its own options (with --help); the program's are in the tree's globals. */
  options: OptionSpec[];
  /** Each positional argument in turn (a variadic last one repeats). */
  args: Values[];
  commands: CommandSpec[];
}

interface CommandTree {
  root: CommandSpec;
  /** The program's options that work after any subcommand (--profile, --verbose...). */
  globals: OptionSpec[];
  all: CommandSpec[];
}

export function completionScript(shell: CompletionShell, program: Command): string {
  const tree = commandTree(program);
  switch (shell) {
    case 'bash':
      return bashScript(tree);
    case 'zsh':
      return zshScript(tree);
    case 'fish':
      return fishScript(tree);
  }
}

// --- the model, from commander ----------------------------------------------------------------

function commandTree(program: Command): CommandTree {
  const help = program.createHelp();
  const all: CommandSpec[] = [];
  const walk = (cmd: Command, path: string): CommandSpec => {
    const spec: CommandSpec = {
      path,
      names: [cmd.name(), ...cmd.aliases()],
      description: oneLine(cmd.description()),
      options: help.visibleOptions(cmd).map(optionSpec),
      args: cmd.registeredArguments.map(argumentValues),
      commands: [],
    };
    all.push(spec);
    spec.commands = help.visibleCommands(cmd).map((sub) => walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`));
    return spec;
  };
  const root = walk(program, '');
  // --version belongs to deskops alone; --help is every command's own.
  const globals = program.options.filter((o) => !o.hidden && o.long !== '--version').map(optionSpec);
  return { root, globals, all };
}

function optionSpec(option: Option): OptionSpec {
  const flags = [option.short, option.long].filter((f): f is string => typeof f === 'string');
  const takesValue = option.required || option.optional;
  return { flags, description: oneLine(option.description), values: takesValue ? valuesOf(option, option.argChoices) : null };
}

function argumentValues(argument: Argument): Values {
  return valuesOf(argument, argument.argChoices);
}

function valuesOf(target: object, choices: readonly string[] | undefined): Values {
  const list = completionListOf(target);
  if (list) return { list };
  return choices && choices.length > 0 ? { words: choices } : 'free';
}

function oneLine(text: string): string {
  return text.split('\n')[0]!.replace(/\s+/g, ' ').trim();
}

/** The options offered at a path: its own, then the program's (deskops itself has both). */
function optionsAt(tree: CommandTree, spec: CommandSpec): OptionSpec[] {
  if (spec.path === '') return spec.options;
  const own = new Set(spec.options.flatMap((o) => o.flags));
  return [...spec.options, ...tree.globals.filter((g) => !g.flags.some((f) => own.has(f)))];
}

/** A value's completion as the scripts' value tables spell it: words:a b c, list:NAME or free. */
function valueCode(values: Values): string {
  if (values === 'free') return 'free';
  if ('list' in values) return `list:${values.list}`;
  return `words:${values.words.join(' ')}`;
}

interface ValueRow {
  /** null: any path (the program's options). */
  path: string | null;
  /** An option's flags, or @N for the N-th argument. */
  keys: string[];
  /** null: a command's own flag that takes no value, where the program's flag of that name does. */
  code: string | null;
}

/** The rows of the value tables: every command's own first, then the program's options. */
function valueRows(tree: CommandTree): ValueRow[] {
  const rows: ValueRow[] = [];
  const globalFlags = new Set(tree.globals.flatMap((o) => o.flags));
  for (const spec of tree.all) {
    for (const o of spec.options) {
      if (o.values) rows.push({ path: spec.path, keys: o.flags, code: valueCode(o.values) });
      else if (spec.path !== '' && o.flags.some((f) => globalFlags.has(f))) rows.push({ path: spec.path, keys: o.flags, code: null });
    }
    spec.args.forEach((a, i) => rows.push({ path: spec.path, keys: [`@${i + 1}`], code: valueCode(a) }));
  }
  for (const o of tree.globals) if (o.values) rows.push({ path: null, keys: o.flags, code: valueCode(o.values) });
  return rows;
}

/** 'text' for bash and zsh. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Case branches shared by bash and zsh (the same syntax in both). */
function posixTables(tree: CommandTree, describe: boolean): string {
  const lines: string[] = [];
  lines.push('# The subcommand a word names at a command path (by its name or an alias).');
  lines.push('_deskops_subcommand() {');
  lines.push('  case "$1|$2" in');
  for (const spec of tree.all) {
    for (const sub of spec.commands) {
      lines.push(`    ${sub.names.map((n) => sq(`${spec.path}|${n}`)).join('|')}) echo ${sq(sub.names[0]!)} ;;`);
    }
  }
  lines.push('    *) return 1 ;;');
  lines.push('  esac');
  lines.push('}');
  lines.push('');
  lines.push(describe ? '# The subcommands of a command path, as name:description lines.' : '# The subcommands of a command path.');
  lines.push('_deskops_commands() {');
  lines.push('  case "$1" in');
  for (const spec of tree.all) {
    if (spec.commands.length === 0) continue;
    const words = describe
      ? spec.commands.flatMap((c) => c.names.map((n) => `${n}:${c.description}`))
      : spec.commands.flatMap((c) => c.names);
    lines.push(`    ${sq(spec.path)}) ${describe ? `printf '%s\\n' ${words.map(sq).join(' ')}` : `echo ${sq(words.join(' '))}`} ;;`);
  }
  lines.push('  esac');
  lines.push('}');
  lines.push('');
  lines.push(describe ? '# The options at a command path, as flag:description lines.' : '# The options at a command path.');
  lines.push('_deskops_options() {');
  lines.push('  case "$1" in');
  for (const spec of tree.all) {
    const options = optionsAt(tree, spec);
    const words = describe ? options.flatMap((o) => o.flags.map((f) => `${f}:${o.description}`)) : options.flatMap((o) => o.flags);
    lines.push(`    ${sq(spec.path)}) ${describe ? `printf '%s\\n' ${words.map(sq).join(' ')}` : `echo ${sq(words.join(' '))}`} ;;`);
  }
  lines.push('  esac');
  lines.push('}');
  lines.push('');
  lines.push('# How the value of option $2 (or @N, the N-th argument) at command path $1 completes:');
  lines.push('# words:LIST, list:NAME (deskops completion --list NAME) or free; nothing if it takes none.');
  lines.push('_deskops_value_of() {');
  lines.push('  case "$1|$2" in');
  for (const row of valueRows(tree)) {
    const pattern = row.keys.map((k) => (row.path === null ? `*${sq(`|${k}`)}` : sq(`${row.path}|${k}`))).join('|');
    lines.push(row.code === null ? `    ${pattern}) ;;` : `    ${pattern}) echo ${sq(row.code)} ;;`);
  }
  lines.push('  esac');
  lines.push('}');
  return lines.join('\n');
}

// --- bash -----------------------------------------------------------------------------------

/**
 * The walk over the words typed so far, the same in bash and zsh: the command path, how many
 * arguments, and whether the word under the cursor is an option's value (its spec).
 */
const POSIX_WALK = `    word=\${words[i]}
    if [[ -n $spec ]]; then
      spec=''
      continue
    fi
    case $word in
      --*=*) continue ;;
      -?*) spec=$(_deskops_value_of "$cmdpath" "$word"); continue ;;
    esac
    if ((nargs == 0)) && next=$(_deskops_subcommand "$cmdpath" "$word"); then
      cmdpath=\${cmdpath:+$cmdpath }$next
    else
      nargs=$((nargs + 1))
    fi
`;

function bashScript(tree: CommandTree): string {
  return `# bash completion for deskops, made by \`deskops completion bash\`. Install:
#   deskops completion bash > ~/.local/share/bash-completion/completions/deskops

${posixTables(tree, false)}

_deskops() {
  local cur word next spec='' cmdpath='' nargs=0 i cword
  local -a words
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n =: -w words -i cword
  else
    words=("\${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  cur=\${words[cword]}
  for ((i = 1; i < cword; i++)); do
${POSIX_WALK}  done
  if [[ -z $spec ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(_deskops_options "$cmdpath")" -- "$cur"))
      return
    fi
    if ((nargs == 0)) && [[ -n $(_deskops_commands "$cmdpath") ]]; then
      COMPREPLY=($(compgen -W "$(_deskops_commands "$cmdpath")" -- "$cur"))
      return
    fi
    spec=$(_deskops_value_of "$cmdpath" "@$((nargs + 1))")
  fi
  case $spec in
    words:*) COMPREPLY=($(compgen -W "\${spec#words:}" -- "$cur")) ;;
    list:*) COMPREPLY=($(compgen -W "$(deskops completion --list "\${spec#list:}" 2>/dev/null)" -- "$cur")) ;;
  esac
}

complete -o default -F _deskops deskops
`;
}

// --- zsh ------------------------------------------------------------------------------------

function zshScript(tree: CommandTree): string {
  return `#compdef deskops
# zsh completion for deskops, made by \`deskops completion zsh\`. Install: save it as _deskops
# in a directory of $fpath before compinit runs, e.g.
#   deskops completion zsh > ~/.zfunc/_deskops    # and in ~/.zshrc: fpath=(~/.zfunc $fpath)

${posixTables(tree, true)}

_deskops() {
  local word next spec='' cmdpath='' nargs=0 i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
${POSIX_WALK}  done
  if [[ -z $spec ]]; then
    if [[ $PREFIX == -* ]]; then
      candidates=("\${(@f)$(_deskops_options "$cmdpath")}")
      _describe -t options 'option' candidates
      return
    fi
    if ((nargs == 0)) && [[ -n $(_deskops_commands "$cmdpath") ]]; then
      candidates=("\${(@f)$(_deskops_commands "$cmdpath")}")
      _describe -t commands 'command' candidates
      return
    fi
    spec=$(_deskops_value_of "$cmdpath" "@$((nargs + 1))")
  fi
  case $spec in
    words:*) candidates=(\${=spec#words:}); compadd -a candidates ;;
    list:*) candidates=(\${(f)"$(deskops completion --list "\${spec#list:}" 2>/dev/null)"}); compadd -a candidates ;;
    *) _files ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautoload ]]; then
  _deskops "$@"
else
  compdef _deskops deskops
fi
`;
}

// --- fish -----------------------------------------------------------------------------------

/** 'text' for fish (where a backslash escapes inside single quotes too). */
function fq(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function fishScript(tree: CommandTree): string {
  const lines: string[] = [];
  lines.push('# fish completion for deskops, made by `deskops completion fish`. Install:');
  lines.push('#   deskops completion fish > ~/.config/fish/completions/deskops.fish');
  lines.push('');
  lines.push('# The subcommand a word names at a command path (by its name or an alias).');
  lines.push('function __deskops_subcommand --argument-names cmdpath word');
  lines.push('    switch "$cmdpath|$word"');
  for (const spec of tree.all) {
    for (const sub of spec.commands) {
      lines.push(`        case ${sub.names.map((n) => fq(`${spec.path}|${n}`)).join(' ')}`);
      lines.push(`            echo ${fq(sub.names[0]!)}`);
    }
  }
  lines.push("        case '*'");
  lines.push('            return 1');
  lines.push('    end');
  lines.push('end');
  lines.push('');
  lines.push('# Whether option $opt at command path $cmdpath takes a value.');
  lines.push('function __deskops_takes_value --argument-names cmdpath opt');
  lines.push('    switch "$cmdpath|$opt"');
  const rows = valueRows(tree).filter((r) => !r.keys[0]!.startsWith('@'));
  // One case per command path; first a command's own flags that take no value where the
  // program's of that name do, last the program's flags at any path.
  const byPath = (takes: boolean) => {
    const cases = new Map<string, string[]>();
    for (const r of rows) {
      if ((r.code !== null) !== takes) continue;
      const at = r.path ?? '*';
      cases.set(at, [...(cases.get(at) ?? []), ...r.keys.map((k) => fq(`${at}|${k}`))]);
    }
    return [...cases.values()];
  };
  for (const [patterns, status] of [...byPath(false).map((p) => [p, 1] as const), ...byPath(true).map((p) => [p, 0] as const)]) {
    lines.push(`        case ${patterns.join(' ')}`);
    lines.push(`            return ${status}`);
  }
  lines.push('    end');
  lines.push('    return 1');
  lines.push('end');
  lines.push('');
  lines.push('# "arguments|path|option": from the words before the cursor, the command path, how many');
  lines.push('# arguments follow it, and the option whose value is being completed, if any.');
  lines.push('function __deskops_state');
  lines.push('    set -l words (commandline -opc)');
  lines.push('    set -e words[1]');
  lines.push("    set -l cmdpath ''");
  lines.push('    set -l nargs 0');
  lines.push("    set -l option ''");
  lines.push('    set -l next');
  lines.push('    for word in $words');
  lines.push('        if test -n "$option"');
  lines.push("            set option ''");
  lines.push('            continue');
  lines.push('        end');
  lines.push('        switch $word');
  lines.push("            case '--*=*'");
  lines.push('                continue');
  // No `?` in the pattern: fish 4 reads it literally. A lone - is an argument (stdin).
  lines.push("            case '-*'");
  lines.push('                if test "$word" != -');
  lines.push('                    if __deskops_takes_value "$cmdpath" $word');
  lines.push('                        set option $word');
  lines.push('                    end');
  lines.push('                    continue');
  lines.push('                end');
  lines.push('        end');
  lines.push('        if test $nargs -eq 0; and set next (__deskops_subcommand "$cmdpath" $word)');
  lines.push('            set cmdpath (string trim -- "$cmdpath $next")');
  lines.push('        else');
  lines.push('            set nargs (math $nargs + 1)');
  lines.push('        end');
  lines.push('    end');
  lines.push('    echo "$nargs|$cmdpath|$option"');
  lines.push('end');
  lines.push('');
  lines.push('# Completing a subcommand, an option or an option\'s value at command path $cmdpath.');
  lines.push('function __deskops_at --argument-names cmdpath');
  lines.push("    set -l state (string split '|' -- (__deskops_state))");
  lines.push('    test "$state[2]" = "$cmdpath"');
  lines.push('end');
  lines.push('');
  lines.push('# Completing the n-th argument at command path $cmdpath (or a subcommand, for n = 0).');
  lines.push('function __deskops_arg --argument-names cmdpath n');
  lines.push("    set -l state (string split '|' -- (__deskops_state))");
  lines.push('    test "$state[2]" = "$cmdpath" -a "$state[3]" = \'\' -a "$state[1]" = (math $n - 1)');
  lines.push('end');
  lines.push('');
  lines.push('complete -c deskops -f');
  for (const spec of tree.all) {
    for (const sub of spec.commands) {
      for (const name of sub.names) {
        lines.push(`complete -c deskops -n ${fq(`__deskops_arg ${fq(spec.path)} 1`)} -a ${fq(name)} -d ${fq(sub.description)}`);
      }
    }
    spec.args.forEach((values, i) => {
      if (spec.commands.length > 0) return; // `help [command]`: the subcommands above
      lines.push(`complete -c deskops -n ${fq(`__deskops_arg ${fq(spec.path)} ${i + 1}`)} ${fishValues(values, 'argument')}`);
    });
    for (const option of spec.options) lines.push(fishOption(option, `__deskops_at ${fq(spec.path)}`));
  }
  for (const option of tree.globals) lines.push(fishOption(option, null));
  return `${lines.join('\n')}\n`;
}

function fishOption(option: OptionSpec, condition: string | null): string {
  const parts = ['complete -c deskops'];
  if (condition) parts.push(`-n ${fq(condition)}`);
  for (const flag of option.flags) parts.push(flag.startsWith('--') ? `-l ${fq(flag.slice(2))}` : `-s ${fq(flag.slice(1))}`);
  if (option.values) parts.push(fishValues(option.values, 'option'));
  parts.push(`-d ${fq(option.description)}`);
  return parts.join(' ');
}

/** An option's value (-r: it takes one; -x: and no file names) or an argument's candidates. */
function fishValues(values: Values, of: 'option' | 'argument'): string {
  const exclusive = of === 'option' ? '-x ' : '';
  if (values === 'free') return of === 'option' ? '-r -F' : '-F';
  if ('list' in values) return `${exclusive}-a ${fq(`(deskops completion --list ${values.list} 2>/dev/null)`)}`;
  return `${exclusive}-a ${fq(values.words.join(' '))}`;
}
