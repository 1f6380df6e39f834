/**
 * `deskops completion`: scripts built from the program, checked by the shells themselves
 * (bash always; zsh and fish only where they are installed), and the names they ask for.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { runCli, tempHome } from '../helpers/cli.js';
import { buildProgram } from '../../src/cli/main.js';
import { createContext } from '../../src/cli/context.js';
import { createIo } from '../../src/cli/io.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(() => {
  ({ home, cleanup } = tempHome('deskops-completion-'));
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell], { env });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** Syntax check by the shell itself (-n: read, do not run). */
function checkSyntax(shell: string, text: string): void {
  const file = join(home, `deskops.${shell}`);
  writeFileSync(file, text);
  const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** Every command path with its options, from the program itself. */
function commandPaths(): Array<{ path: string[]; flags: string[] }> {
  const program = buildProgram(createContext(createIo({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() }, {})));
  const out: Array<{ path: string[]; flags: string[] }> = [];
  const walk = (cmd: Command, path: string[]) => {
    out.push({ path, flags: cmd.options.filter((o) => !o.hidden).map((o) => o.long!).filter(Boolean) });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

describe('completion bash', () => {
  it('prints a script that bash reads, with every command and its flags', async () => {
    const text = await script('bash');
    checkSyntax('bash', text);
    for (const word of ['ticket', 'queue', 'sweep', 'survey', 'kpi', '--status', '--limit', '--all', '--profile', '--template']) {
      expect(text).toContain(word);
    }
    for (const { path, flags } of commandPaths()) {
      if (path.length > 0) expect(text, path.join(' ')).toContain(`'${path.slice(0, -1).join(' ')}|${path.at(-1)}'`);
      for (const flag of flags) expect(text, `${path.join(' ')} ${flag}`).toMatch(new RegExp(`'${path.join(' ')}'\\) echo '[^']*(?<=[ '])${flag}[ ']`));
    }
  });

  it('completes commands, flags, their values, and profile and template names asked of deskops', async () => {
    const file = join(home, 'deskops.bash');
    writeFileSync(file, await script('bash'));
    // `deskops` stands in for the installed command: it answers `completion --list` alone.
    const harness = `
source ${JSON.stringify(file)}
deskops() {
  if [[ "$1 $2" == 'completion --list' ]]; then
    case $3 in profiles) printf '%s\\n' local acme ;; templates) printf '%s\\n' apology-delay survey-csat ;; esac
  fi
}
c() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _deskops; echo "\${COMPREPLY[*]}"; }
c deskops ti
c deskops ticket ''
c deskops ticket ls --limit 5 --pri
c deskops ticket list --status ''
c deskops -p acme ticket list --status o
c deskops --profile ''
c deskops profile use ''
c deskops reply send 42 --template ap
c deskops completion ''
`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', harness], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 9)).toEqual([
      'ticket',
      'list ls view show update help',
      '--priority',
      'new open pending hold solved closed unsolved any',
      'open',
      'local acme',
      'local acme',
      'apology-delay',
      'bash zsh fish',
    ]);
  });
});

describe('completion zsh and fish', () => {
  it.skipIf(!installed('zsh'))('prints a zsh script that zsh reads', async () => {
    checkSyntax('zsh', await script('zsh'));
  });

  it.skipIf(!installed('fish'))('prints a fish script that fish reads', async () => {
    checkSyntax('fish', await script('fish'));
  });

  it.skipIf(!installed('zsh'))('completes in zsh as in bash', async () => {
    const file = join(home, '_deskops');
    writeFileSync(file, await script('zsh'));
    // Outside a completion widget: compadd and _describe print what they are given.
    const harness = `
compdef() { : }
source ${JSON.stringify(file)}
deskops() { [[ "$1 $2" == 'completion --list' && $3 == profiles ]] && print -l local acme }
_describe() { local -a c; c=("\${(@P)4}"); print -r -- "\${(j: :)\${(@)c%%:*}}" }
compadd() { local -a c; c=("\${(@P)2}"); print -r -- "$c" }
_files() { print files }
c() { words=("$@"); CURRENT=$#words; PREFIX=$words[CURRENT]; _deskops }
c deskops ticket ''
c deskops ticket list --status ''
c deskops -p acme ticket list --l
c deskops profile use ''
`;
    const r = spawnSync('zsh', ['-f', '-c', harness], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'list ls view show update help',
      'new open pending hold solved closed unsolved any',
      expect.stringMatching(/^-s --status .*-n --limit .*--profile/),
      'local acme',
    ]);
  });

  it.skipIf(!installed('fish'))('completes in fish as in bash', async () => {
    const file = join(home, 'deskops.fish');
    writeFileSync(file, await script('fish'));
    const harness = `
source ${JSON.stringify(file)}
function deskops
    test "$argv[1] $argv[2] $argv[3]" = 'completion --list profiles'; and printf '%s\n' local acme
end
for line in 'deskops ticket ' 'deskops ticket list --status ' 'deskops -p acme ticket ls --pri' 'deskops profile use '
    complete -C "$line" | string replace -r '\t.*' '' | sort | string join ' '
end
`;
    const r = spawnSync('fish', ['--no-config', '-c', harness], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'help list ls show update view',
      'any closed hold new open pending solved unsolved',
      '--priority',
      'acme local',
    ]);
  });

  it('prints both, with the commands and the profile lookup, wherever the shells are', async () => {
    const zsh = await script('zsh');
    expect(zsh).toMatch(/^#compdef deskops$/m);
    expect(zsh).toContain("'ticket|list'|'ticket|ls') echo 'list'");
    expect(zsh).toContain('deskops completion --list');
    const fish = await script('fish');
    expect(fish).toContain("-l 'status' -x -a 'new open pending hold solved closed unsolved any'");
    expect(fish).toContain('(deskops completion --list profiles 2>/dev/null)');
  });
});

describe('completion usage', () => {
  it('refuses an unknown shell or none with exit 2', async () => {
    const tcsh = await runCli(['completion', 'tcsh'], { env });
    expect(tcsh.code).toBe(2);
    expect(tcsh.stdout).toBe('');
    expect(tcsh.stderr).toMatch(/'tcsh' is invalid.*bash, zsh, fish/);
    const none = await runCli(['completion'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('deskops: completion needs a shell: bash, zsh or fish');
  });

  it('lists profile and template names for the scripts, one a line', async () => {
    const { home: other, cleanup: done } = tempHome('deskops-completion-list-');
    try {
      const add = await runCli(['profile', 'add', 'acme', '--url', 'https://acme.zendesk.com', '--email', 'me@acme.com', '--token-stdin'], {
        env: { DESKOPS_HOME: other },
        stdin: 'token-0123456789\n',
      });
      expect(add.code).toBe(0);
      const profiles = await runCli(['completion', '--list', 'profiles'], { env: { DESKOPS_HOME: other } });
      expect(profiles.code).toBe(0);
      expect(profiles.stdout.trim().split('\n')).toEqual(['local', 'acme']);
      const templates = await runCli(['completion', '--list', 'templates'], { env: { DESKOPS_HOME: other } });
      expect(templates.code).toBe(0);
      expect(templates.stdout.trim().split('\n')).toContain('apology-delay');
      const bad = await runCli(['completion', '--list', 'tickets'], { env });
      expect(bad.code).toBe(2);
    } finally {
      done();
    }
  });

  it('has help with an example of installing it', async () => {
    const r = await runCli(['completion', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deskops completion bash > ~/.local/share/bash-completion/completions/deskops');
    expect(r.stdout).not.toContain('--list');
  });
});
