import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { createContext } from '../../src/cli/context.js';
import { createIo } from '../../src/cli/io.js';
import { VERSION } from '../../src/core/version.js';

describe('deskops main', () => {
  it('prints help with examples and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: deskops');
    expect(r.stdout).toContain('Examples:');
    for (const noun of ['ticket', 'profile', 'doctor', 'desk']) expect(r.stdout).toContain(noun);
  });

  it('every command has help with examples', async () => {
    const program = buildProgram(createContext(createIo({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() }, {})));
    const leaves: string[][] = [];
    const walk = (cmd: Command, path: string[]) => {
      if (cmd.commands.length === 0) leaves.push(path);
      for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
    };
    walk(program, []);
    expect(leaves.length).toBeGreaterThan(10);
    for (const argv of leaves) {
      const r = await runCli([...argv, '--help']);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout, argv.join(' ')).toContain('Examples:');
    }
  });

  it('exits 2 on an unknown command or flag, with a one-line error', async () => {
    const cmd = await runCli(['tickt', 'list']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command 'tickt'/);
    expect(cmd.stderr).toMatch(/ticket/); // suggestion
    const flag = await runCli(['ticket', 'list', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('keeps the version in step with package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('short flags', () => {
  it('mean one thing across every command (-t is --tag, -v is --verbose), so muscle memory is safe', () => {
    const io = createIo({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() }, {});
    const program = buildProgram(createContext(io, { env: {} }));
    const meaning = new Map<string, Set<string>>();
    const walk = (cmd: Command) => {
      for (const o of cmd.options) {
        if (!o.short) continue;
        const longs = meaning.get(o.short) ?? new Set<string>();
        longs.add(o.long ?? '');
        meaning.set(o.short, longs);
      }
      for (const sub of cmd.commands) walk(sub);
    };
    walk(program);
    const clashes = [...meaning].filter(([, longs]) => longs.size > 1).map(([short, longs]) => `${short}: ${[...longs].join(', ')}`);
    expect(clashes).toEqual([]);
    expect([...meaning.get('-t')!]).toEqual(['--tag']);
    expect([...meaning.get('-v')!]).toEqual(['--verbose']);
  });
});
