/**
 * The README is a contract: every deskops command line in its shell blocks runs, in order, as
 * documented, against a fresh demo desk in a temp home: the real launcher (bin/deskops.js,
 * the built bundle) in bash, with no terminal, as a script would run it. Lines that need a
 * terminal, a prompt or a long-running server are held to what the README and the
 * conventions promise for them (a clear refusal with exit 2, or the server's first lines);
 * the few that cannot run here say why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The command lines of the README's sh blocks, comments cut, in order. */
export function readmeCommands(markdown: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  let shell = false;
  // a line ending in a backslash goes on on the next
  for (const line of markdown.replace(/\\\n\s*/g, '').split('\n')) {
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      if (!inBlock) shell = fence[1] === 'sh' || fence[1] === 'bash' || fence[1] === '';
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock || !shell) continue;
    const command = line.replace(/\s+#\s.*$/, '').trim();
    // a deskops line, or one that makes a directory for what deskops writes
    if (/^(deskops |npm ci && node bin\/deskops\.js |mkdir -p \S+ && deskops |source <\(deskops )/.test(command)) lines.push(command);
  }
  return lines;
}

type Expectation =
  | { kind: 'ok' }
  /** Refused as the conventions say, with this on stderr and exit 2. */
  | { kind: 'refused'; stderr: RegExp }
  | { kind: 'fails'; code: number; stderr: RegExp; why: string }
  | { kind: 'server'; stdout: RegExp }
  | { kind: 'skip'; why: string };

/** Everything not listed runs and exits 0. */
const EXPECTED: Array<[RegExp, Expectation]> = [
  [/^deskops triage$/, { kind: 'refused', stderr: /triage needs a terminal; use `deskops queue` in scripts/ }],
  [/^deskops kpi --watch/, { kind: 'refused', stderr: /kpi --watch needs a terminal/ }],
  [/^deskops reply draft .* --edit$/, { kind: 'refused', stderr: /--edit needs a terminal/ }],
  [/^deskops init$/, { kind: 'refused', stderr: /deskops init is interactive/ }],
  // "confirm, then send": with no terminal to confirm on, --yes is required
  [/^deskops (sweep run|reply send \d+ --template apology-delay|survey send --type nps --since 30d)$/, { kind: 'refused', stderr: /--yes required when not running interactively/ }],
  [/^deskops sweep resume 20261125-141503-3f9c$/, { kind: 'fails', code: 1, stderr: /no sweep run 20261125-141503-3f9c/, why: 'an example run id' }],
  [/^deskops desk serve/, { kind: 'server', stdout: /^export DESKOPS_URL='http:\/\/127\.0\.0\.1:\d+'$/m }],
  [/^deskops --profile rt /, { kind: 'skip', why: 'needs a Request Tracker profile: test/rt runs the adapter against a live one' }],
];

function expectationFor(command: string): Expectation {
  return EXPECTED.find(([pattern]) => pattern.test(command))?.[1] ?? { kind: 'ok' };
}

const commands = readmeCommands(README);
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/ is built (npm test runs the build first)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'deskops-readme-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  // `deskops` on the PATH is the launcher, as after `npm link` or a global install.
  writeFileSync(join(bin, 'deskops'), `#!/bin/sh\nexec node '${join(ROOT, 'bin', 'deskops.js')}' "$@"\n`, { mode: 0o755 });
  const cwd = join(work, 'cwd');
  mkdirSync(cwd);
  // The files the README's examples name: sweep rules of one's own, a customer list for churn.
  copyFileSync(join(ROOT, 'templates', 'sweeps', 'default.yml'), join(cwd, 'weekend.yml'));
  writeFileSync(join(cwd, 'customers.csv'), 'id,active_from,churned_at\nAcme Studio,2025-01-01,\nNorthwind Traders,2025-03-01,2026-11-15\n');
  env = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: join(work, 'home'),
    DESKOPS_HOME: join(work, 'deskops'),
    CI: 'true',
    // --edit opens $EDITOR: one that leaves the draft as it is
    EDITOR: 'true',
    VISUAL: '',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runServer(command: string): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolveRun) => {
    const child = spawn('bash', ['-c', `exec ${command} --port 0`], { cwd: join(work, 'cwd'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/^export DESKOPS_TOKEN=/m.test(stdout)) child.kill('SIGINT');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ stdout, code });
    });
  });
}

describe('the README, run as documented on a fresh demo desk', () => {
  it('has the command lines this test runs', () => {
    expect(commands.length).toBeGreaterThan(40);
    expect(commands[0]).toBe('npm ci && node bin/deskops.js queue --view all');
  });

  for (const [i, command] of commands.entries()) {
    const expected = expectationFor(command);
    const title = `${String(i + 1).padStart(2, '0')} ${command}`;
    if (expected.kind === 'skip') {
      it.skip(`${title} (${expected.why})`, () => undefined);
      continue;
    }
    it(title, async () => {
      if (expected.kind === 'server') {
        // a server runs until stopped: it starts and prints how to reach it (on a free port here)
        const r = await runServer(command);
        expect(r.stdout).toMatch(expected.stdout);
        return;
      }
      // The first line installs, then runs: the install is what CI did already.
      const line = command.replace(/^npm ci && /, '');
      const cwd = line.startsWith('node bin/') ? ROOT : join(work, 'cwd');
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', line], { cwd, env, encoding: 'utf8', timeout: 120_000, input: '' });
      const said = `exit ${r.status}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout.slice(0, 2000)}`;
      if (expected.kind === 'ok') {
        expect(r.status, said).toBe(0);
        expect(r.stderr, said).not.toMatch(/\n\s+at |^(Type|Reference|Syntax)?Error\b/m); // notes yes, stack traces no
      } else if (expected.kind === 'refused') {
        expect(r.status, said).toBe(2);
        expect(r.stderr, said).toMatch(expected.stderr);
      } else {
        expect(r.status, said).toBe(expected.code);
        expect(r.stderr, said).toMatch(expected.stderr);
      }
    }, 150_000);
  }
});
