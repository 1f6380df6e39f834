/**
 * Runs the real CLI through main() with buffer streams and a temp DESKOPS_HOME.
 */
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { createContext } from '../../src/cli/context.js';
import { createIo } from '../../src/cli/io.js';
import type { Clock } from '../../src/core/time.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Text fed to stdin (then closed). */
  stdin?: string;
  /** Pretend stdout is a terminal of this width. */
  tty?: { columns: number };
  /**
   * The CLI's clock, also the in-process desk's: a Date pins it there, a function is used as
   * it is. Tests on data seeded at SEED_NOW pass seedClock.
   */
  now?: Date | Clock;
}

export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  if (options.stdin !== undefined) stdin.end(options.stdin);
  else stdin.end();
  // The in-process desk's search sees changes at once unless a test is about the index lag
  // and sets DESKOPS_DESK_INDEX_LAG itself.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DESKOPS_DESK_INDEX_LAG: '0', ...options.env } as NodeJS.ProcessEnv;
  const streams = {
    stdout: Object.assign(stdout, options.tty ? { isTTY: true, columns: options.tty.columns } : {}),
    stderr,
    stdin,
  };
  const io = createIo(streams, env);
  const fixed = options.now;
  const now = fixed instanceof Date ? () => fixed : fixed;
  const ctx = createContext(io, { env, now });
  const code = await main(argv, ctx);
  return { code, stdout: out, stderr: err };
}

/** A fresh DESKOPS_HOME; call the returned cleanup in afterAll. */
export function tempHome(prefix = 'deskops-test-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}
