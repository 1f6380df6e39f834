// What the benchmarks share: where the project and its built CLI are, bundling an entry of src/
// with esbuild as the CLI's build does, timing node child processes (with their peak RSS), and
// the statistics the figures are printed with.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI's launcher (runs dist/cli/main.js). */
export const bin = join(root, 'bin', 'deskops.js');

/** Whether the module at `url` is the script node was started with. */
export const isMain = (url) => Boolean(process.argv[1]) && url === pathToFileURL(process.argv[1]).href;

/** Throws unless `npm run build` has written dist/ (the CLI runs from there). */
export function requireBuild() {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const round = (x, d = 1) => +x.toFixed(d);
/** Kilobytes (as resourceUsage().maxRSS gives them) to megabytes, one decimal. */
export const mb = (kb) => round(kb / 1024);

/**
 * A fresh directory for bundles under node_modules/.cache, so that what they keep external
 * (libsql, as the CLI's build does) resolves from the project. The caller removes it.
 */
export function bundleDir(name) {
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  return mkdtempSync(join(root, 'node_modules', '.cache', `deskops-bench-${name}-`));
}

/** Bundles an entry of src/ (TypeScript) into one ESM file, as the CLI's build does. */
export async function bundle(contents, outfile) {
  const { build } = await import('esbuild');
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    external: ['libsql'],
    banner: { js: "import{createRequire as __benchRequire}from'node:module';const require=__benchRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

/**
 * Runs node with args without blocking this process (a desk may answer from here): wall time,
 * exit code, output, and the peak RSS the child reported (see cliArgs) or null.
 */
export function timeNode(args, env, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (!okCodes.includes(code)) return reject(new Error(`node ${args.slice(-4).join(' ')} exited ${code}: ${stderr.slice(-800)}`));
      const rss = /@@maxrss (\d+)/.exec(stderr);
      resolve({ ms, code, stdout, stderr, maxRssKb: rss ? Number(rss[1]) : null });
    });
  });
}

/** Runs node with args and waits (nothing in this process needs to answer): wall time and output. */
export function timeRun(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** Node arguments for `deskops <args>` in a fresh process that reports its peak RSS on exit. */
export const cliArgs = (args) => [
  '--input-type=module',
  '-e',
  `process.argv.splice(1, 0, 'deskops');
   process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));
   await import(${JSON.stringify(pathToFileURL(bin).href)});`,
  ...args,
];

/**
 * The environment of a CLI run on the desk in `home`: none of the caller's profile, desk or
 * credentials, no CI, no color; then `set` (e.g. DESKOPS_URL) on top.
 */
export function deskEnv(home, set = {}) {
  const env = { ...process.env, DESKOPS_HOME: home, NO_COLOR: '1' };
  for (const k of ['DESKOPS_PROFILE', 'DESKOPS_URL', 'DESKOPS_TOKEN', 'DESKOPS_EMAIL', 'CI']) delete env[k];
  return { ...env, ...set };
}

/** The most entries of `times` (ms, sorted) within any `windowMs`: the highest rate seen. */
export function maxInWindow(times, windowMs = 60_000) {
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** `SELECT count(*) AS n ...` on the embedded desk's database under `home`, read-only. */
export function deskCount(home, sql) {
  const Database = createRequire(join(root, 'package.json'))('libsql');
  const db = new Database(join(home, 'desk', 'desk.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).get().n;
  } finally {
    db.close();
  }
}

/**
 * A plain client's download of the incremental export, with fetch: `node <file> URL EMAIL
 * TOKEN [include]` reads every page (1,000 tickets each, the people sideloaded when `include`
 * is `users`) and prints how many tickets and pages. The baseline the cold list is measured
 * against (bench/replica.js, bench/realistic.js).
 */
export const FETCH_EXPORT = `const [base, email, token, include] = process.argv.slice(2);
     const auth = 'Basic ' + Buffer.from(email + '/token:' + token).toString('base64');
     let url = base + '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1000' + (include ? '&include=' + include : '');
     let n = 0, pages = 0;
     for (;;) {
       const r = await fetch(url, { headers: { authorization: auth } });
       if (!r.ok) throw new Error('HTTP ' + r.status);
       const body = await r.json();
       n += body.tickets.length; pages++;
       if (body.end_of_stream || !body.after_url) break;
       url = body.after_url;
     }
     process.stdout.write(JSON.stringify({ tickets: n, pages }));`;

/**
 * The floor of any cold `ticket list --status any --all --json`: a plain client that keeps
 * nothing on disk. `node <file> URL EMAIL TOKEN` reads the groups (for their names) and every
 * export page with the people sideloaded (the next page asked for as soon as this one's cursor
 * is known), keeps the newest copy of each ticket in memory, then prints them in id order as
 * pretty JSON with the requester's, the assignee's and the group's names, as deskops does.
 * Anything that prints the list in id order does this much; deskops also stores what it read.
 */
export const PRINT_EXPORT = `import { writeSync } from 'node:fs';
     const [base, email, token] = process.argv.slice(2);
     const headers = { authorization: 'Basic ' + Buffer.from(email + '/token:' + token).toString('base64') };
     const get = (url) => fetch(url, { headers }).then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); });
     const groups = new Map(JSON.parse(await get(base + '/api/v2/groups.json?per_page=100')).groups.map((g) => [g.id, g.name]));
     const tickets = new Map(), users = new Map();
     let next = get(base + '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1000&include=users');
     for (;;) {
       const body = JSON.parse(await next);
       const more = !body.end_of_stream && body.after_url;
       if (more) next = get(body.after_url);
       for (const t of body.tickets) tickets.set(t.id, t);
       for (const u of body.users ?? []) users.set(u.id, u);
       if (!more) break;
     }
     const rows = [...tickets.values()].sort((a, b) => a.id - b.id).map((t) => ({
       ...t,
       requester_name: users.get(t.requester_id)?.name ?? null,
       requester_email: users.get(t.requester_id)?.email ?? null,
       assignee_name: users.get(t.assignee_id)?.name ?? null,
       group_name: groups.get(t.group_id) ?? null,
     }));
     writeSync(1, '[\\n');
     for (let i = 0; i < rows.length; i += 100) {
       const text = JSON.stringify(rows.slice(i, i + 100), null, 2);
       writeSync(1, text.slice(2, -2) + (i + 100 < rows.length ? ',\\n' : '\\n'));
     }
     writeSync(1, ']\\n');`;
