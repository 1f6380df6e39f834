/**
 * Starting and seeding the desk (loaded lazily by index.ts): option checks, opening the
 * database (seeding it first when it has no data), credentials, and the server.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { systemClock } from '../core/time.js';
import { openDb, seededAt, getMeta, type Db } from './db.js';
import { parseFaultSpec } from './faults.js';
import { DEFAULT_PLAN, PLAN_NAMES, PLANS, type Plan } from './limits.js';
import type { DeskOptions, RunningDesk, SeedOptions, SeedSummary } from './options.js';
import { DEFAULT_INDEX_LAG_S, DEFAULT_SEED, DEFAULT_SEED_TICKETS } from './options.js';
import { ensureDeskDir, readCredentialsFile, writeCredentialsFile, type DeskCredentials, type DeskPaths } from './paths.js';
import { DeskStore } from './store.js';

/** A new API token: 24 random bytes, base64url (32 characters). */
function newDeskToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Upper bound for --tickets: a demo desk, not a load generator. */
export const MAX_SEED_TICKETS = 1_000_000;

/** 127.0.0.0/8, ::1 and localhost. The desk never listens on a network interface. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4.slice(1).every((o) => Number(o) <= 255);
}

interface CheckedOptions {
  host: string;
  port: number;
  rateLimit: number;
  highVolume: boolean;
  endpointLimits: boolean;
  latencyMs: number;
  indexLagSeconds: number;
  faults: ReturnType<typeof parseFaultSpec> & object;
  faultSeed: number;
}

export function checkDeskOptions(opts: DeskOptions): CheckedOptions {
  const host = (opts.host ?? '127.0.0.1').trim();
  if (!isLoopback(host)) {
    throw new UsageError(`refusing to listen on ${host}: the local desk only listens on a loopback address (127.0.0.1, ::1 or localhost)`);
  }
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`invalid port ${port}: expected an integer from 0 to 65535`);
  const plan = (opts.plan ?? DEFAULT_PLAN).trim().toLowerCase();
  if (!(PLAN_NAMES as string[]).includes(plan)) throw new UsageError(`unknown plan "${opts.plan}": expected one of ${PLAN_NAMES.join(', ')}`);
  const rateLimit = opts.rateLimit ?? PLANS[plan as Plan];
  if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new UsageError(`invalid rate limit ${rateLimit}: expected a positive number of requests per minute`);
  const latencyMs = opts.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 60_000) throw new UsageError(`invalid latency ${latencyMs} ms: expected 0 to 60000`);
  const faults = parseFaultSpec(opts.faults ?? '');
  if (typeof faults === 'string') throw new UsageError(faults);
  const faultSeed = opts.faultSeed ?? 1;
  if (!Number.isInteger(faultSeed)) throw new UsageError(`invalid fault seed ${faultSeed}: expected an integer`);
  const indexLagSeconds = opts.indexLagSeconds ?? DEFAULT_INDEX_LAG_S;
  if (!Number.isInteger(indexLagSeconds) || indexLagSeconds < 0 || indexLagSeconds > 3600) {
    throw new UsageError(`invalid index lag ${indexLagSeconds}: expected whole seconds from 0 to 3600`);
  }
  return { host, port, rateLimit, highVolume: plan === 'enterprise-plus', endpointLimits: opts.endpointLimits !== false, latencyMs, indexLagSeconds, faults, faultSeed };
}

export async function startDeskServer(opts: DeskOptions): Promise<RunningDesk> {
  const options = checkDeskOptions(opts);
  const clock = opts.now ?? systemClock;
  const paths = ensureDeskDir(opts.home);
  const db = openDb(paths.db);
  try {
    if (seededAt(db) === undefined) await seedInto(db, paths, { tickets: DEFAULT_SEED_TICKETS, seed: DEFAULT_SEED, now: clock() });
    const credentials = ensureCredentials(db, paths);
    const store = new DeskStore(db);
    const { listen } = await import('./server.js');
    const server = await listen({
      store,
      host: options.host,
      port: options.port,
      rateLimit: options.rateLimit,
      highVolume: options.highVolume,
      endpointLimits: options.endpointLimits,
      latencyMs: options.latencyMs,
      indexLagSeconds: options.indexLagSeconds,
      faults: options.faults,
      faultSeed: options.faultSeed,
      credentials: credentialsWatcher(paths.credentials),
      log: opts.log,
      now: clock,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new UsageError(`port ${options.port} on ${options.host} is already in use`, { hint: 'pick another with --port, or 0 for any free port' });
      }
      if (err.code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${options.host}: no such address on this machine`);
      throw err;
    });
    let closed: Promise<void> | undefined;
    return {
      url: server.url,
      port: server.port,
      email: credentials.email,
      adminEmail: credentials.admin_email!,
      token: credentials.token,
      close() {
        closed ??= server.close().finally(() => db.close());
        return closed;
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The credentials file's current content, re-read only when the file changes. */
function credentialsWatcher(path: string): () => DeskCredentials | undefined {
  let stamp: string | undefined;
  let current: DeskCredentials | undefined;
  return () => {
    const stat = statSync(path, { throwIfNoEntry: false });
    const next = stat ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : 'missing';
    if (next !== stamp) {
      stamp = next;
      current = readCredentialsFile(path);
    }
    return current;
  };
}

/** The credentials file, made again (new token) if it is missing or damaged. */
function ensureCredentials(db: Db, paths: DeskPaths): DeskCredentials {
  const email = getMeta(db, 'me_email')!;
  const adminEmail = getMeta(db, 'admin_email')!;
  const saved = readCredentialsFile(paths.credentials);
  if (saved && saved.email === email && saved.admin_email === adminEmail) return saved;
  const credentials = { email, token: saved?.token ?? newDeskToken(), admin_email: adminEmail };
  writeCredentialsFile(paths.credentials, credentials);
  return credentials;
}

async function seedInto(db: Db, paths: DeskPaths, params: { tickets: number; seed: number; now: Date }): Promise<DeskCredentials> {
  const { seedDatabase } = await import('./seed.js');
  const result = seedDatabase(db, params);
  const credentials = { email: result.me.email, token: newDeskToken(), admin_email: result.admin.email };
  writeCredentialsFile(paths.credentials, credentials);
  return credentials;
}

export async function seedDeskAt(opts: SeedOptions): Promise<SeedSummary> {
  const tickets = opts.tickets ?? DEFAULT_SEED_TICKETS;
  if (!Number.isInteger(tickets) || tickets < 1 || tickets > MAX_SEED_TICKETS) {
    throw new UsageError(`invalid ticket count ${tickets}: expected an integer from 1 to ${MAX_SEED_TICKETS}`);
  }
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new UsageError(`invalid seed ${seed}: expected an integer`);
  const started = performance.now();
  const paths = ensureDeskDir(opts.home);
  const db = openDb(paths.db, { replaceDamaged: true });
  try {
    await seedInto(db, paths, { tickets, seed, now: opts.now ?? systemClock() });
    const store = new DeskStore(db);
    return {
      tickets,
      users: store.count('SELECT count(*) AS n FROM users'),
      organizations: store.count('SELECT count(*) AS n FROM organizations'),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    db.close();
  }
}
