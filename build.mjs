// The CLI's build: esbuild bundles src/cli/main.ts into dist/cli, one chunk per command (a
// command loads only what it uses). Run by `npm run build`.
//
// One dependency is changed on the way, because every command pays for it at start:
// @sindresorhus/is (got's argument checks) builds two Intl.ListFormat objects when it loads,
// which loads ICU's data (some 25 ms a command), to word an error message that a correct call
// never writes. They are built when first used instead. If the text is not found (a new
// version), the build fails: check the new version and change or drop the rewrite.
import { readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const LAZY_FORMATTERS = {
  file: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/,
  rewrites: ['conjunction', 'disjunction'].map((type) => [
    new RegExp(`const (\\w+) = new Intl\\.ListFormat\\('en', \\{ style: 'long', type: '${type}' \\}\\);`),
    (_, name) => `let ${name}Made; const ${name} = { format: (values) => (${name}Made ??= new Intl.ListFormat('en', { style: 'long', type: '${type}' })).format(values) };`,
  ]),
};

/** Rewrites a dependency's file as LAZY_FORMATTERS says, or fails the build. */
const lazyFormatters = {
  name: 'lazy-list-formatters',
  setup(b) {
    b.onLoad({ filter: LAZY_FORMATTERS.file }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [pattern, replace] of LAZY_FORMATTERS.rewrites) {
        if (!pattern.test(contents)) throw new Error(`${args.path}: ${pattern} not found; see build.mjs`);
        contents = contents.replace(pattern, replace);
      }
      return { contents, loader: 'js' };
    });
  },
};

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  outdir: 'dist/cli',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['libsql', 'react-devtools-core'],
  banner: { js: "import{createRequire as __deskopsRequire}from'node:module';const require=__deskopsRequire(import.meta.url);" },
  plugins: [lazyFormatters],
  logLevel: 'warning',
});
