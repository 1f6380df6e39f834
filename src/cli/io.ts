/**
 * The CLI's streams. The only module that writes to stdout/stderr; tests swap in buffers.
 */
import type { Readable, Writable } from 'node:stream';
import { scrubSecrets } from '../config/redact.js';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  /** stdout is a terminal: human tables, color allowed. */
  stdoutIsTTY: boolean;
  /** stdin and stderr are terminals: prompts allowed. */
  interactive: boolean;
  /** Color on stdout (chalk level 0 when false). */
  color: boolean;
  /** Terminal width in columns, or undefined when piped. */
  columns?: number;
  out(text: string): void;
  err(text: string): void;
  /**
   * Secrets never to print, in any form deskops builds them (plain, Basic credential,
   * URL-encoded): out() and err() mask them, whatever the text's origin (a desk may echo a
   * token in an error or a ticket).
   */
  mask(secrets: Iterable<string>): void;
  /** `text` with the masked secrets hidden, for what deskops writes to files. */
  scrub(text: string): string;
}

export interface IoStreams {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
}

/**
 * Color follows the usual conventions: NO_COLOR (any value) or --no-color turns it off,
 * FORCE_COLOR (not "0") turns it on, otherwise it is on only for a terminal.
 */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * `stream` with its text writes masked by `scrub`: everything else (size, TTY, events) is the
 * stream's own, so a screen drawn on it (Ink) works as on the stream itself.
 */
function masking<S extends Writable>(stream: S, scrub: (text: string) => string): S {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? scrub(chunk) : chunk, ...rest);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function createIo(streams: IoStreams, env: NodeJS.ProcessEnv): Io {
  const stdoutIsTTY = Boolean(streams.stdout.isTTY);
  const secrets = new Set<string>();
  const scrub = (text: string) => (secrets.size === 0 ? text : scrubSecrets(text, secrets));
  return {
    // Screens and progress lines write to the streams directly: they are masked too.
    stdout: masking(streams.stdout, scrub),
    stderr: masking(streams.stderr, scrub),
    stdin: streams.stdin,
    stdoutIsTTY,
    interactive: Boolean(streams.stdin.isTTY) && Boolean(streams.stderr.isTTY) && !env.CI,
    color: wantsColor(env, stdoutIsTTY),
    columns: stdoutIsTTY ? streams.stdout.columns || 80 : undefined,
    out(text: string) {
      const safe = scrub(text);
      streams.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
    },
    err(text: string) {
      const safe = scrub(text);
      streams.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`);
    },
    mask(list) {
      for (const s of list) if (s.length >= 8) secrets.add(s);
    },
    scrub,
  };
}

/** Io over the real process streams. */
/**
 * A progress line on stderr that each write replaces, for an interactive terminal only
 * (undefined otherwise, so scripts see nothing); clear() removes it.
 */
export function statusLine(io: Io): { write(text: string): void; clear(): void } | undefined {
  if (!io.interactive) return undefined;
  let shown = false;
  return {
    write(text) {
      shown = true;
      io.stderr.write(`\r\u001b[2K${text}`);
    },
    clear() {
      if (shown) io.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}

export function processIo(): Io {
  return createIo({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, process.env);
}

/**
 * Reads all of stdin, for flags that take `-`. Refuses when stdin is a terminal, so a command
 * never sits waiting for text nobody knows to type.
 */
export async function readPipedStdin(io: Io, flag: string): Promise<string> {
  if (io.interactive) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError(`${flag} - reads from stdin; pipe the text in`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
