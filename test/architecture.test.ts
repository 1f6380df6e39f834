/**
 * The layer rules of ARCHITECTURE.md, read from the imports themselves: core imports nothing of
 * the project outside core; nothing but cli imports cli; no two files import each other, however
 * long the loop. A new import that breaks a rule fails here with the file and the line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

interface Edge { from: string; to: string; line: number }

const files = walk(src);
const known = new Set(files);

function target(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (known.has(candidate)) return candidate;
  return undefined;
}

const edges: Edge[] = files.flatMap((file) => {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Edge[] = [];
  lines.forEach((text, i) => {
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/g)) {
      const to = target(file, m[1]!);
      if (to) out.push({ from: file, to, line: i + 1 });
    }
  });
  return out;
});

const layer = (file: string): string => relative(src, file).split('/')[0]!;
const show = (e: Edge): string => `${relative(root, e.from)}:${e.line} -> ${relative(root, e.to)}`;

describe('layers', () => {
  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('core imports nothing of the project outside core', () => {
    const wrong = edges.filter((e) => layer(e.from) === 'core' && layer(e.to) !== 'core').map(show);
    expect(wrong).toEqual([]);
  });

  it('only the cli imports the cli', () => {
    const wrong = edges.filter((e) => layer(e.from) !== 'cli' && layer(e.to) === 'cli').map(show);
    expect(wrong).toEqual([]);
  });

  it('the desk and the adapters do not reach into services or screens', () => {
    const wrong = edges
      .filter((e) => ['api', 'desk'].includes(layer(e.from)) && ['services', 'ui'].includes(layer(e.to)))
      .map(show);
    expect(wrong).toEqual([]);
  });

  it('no import cycles between files', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of next.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(src, x)).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
