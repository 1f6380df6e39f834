/**
 * CliContext: what every command gets. Everything costly is created lazily, on first use,
 * so `deskops --help` loads no config, no HTTP client and no desk.
 */
import { setMaxListeners } from 'node:events';
import type { HelpDesk, Connection, RateLimitState, RequestLogger, WaitObserver } from '../api/helpdesk.js';
import type { EndpointLimit } from '../api/pacer.js';
import type { RequestLedger } from '../api/ledger.js';
import { RequestTally } from '../api/tally.js';
import type { ConfigStore } from '../config/store.js';
import type { Io } from './io.js';
import { systemClock } from '../core/time.js';

export interface GlobalOptions {
  profile?: string;
  verbose?: boolean;
  color?: boolean;
}

export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Options given before the subcommand: --profile, --verbose, --no-color. */
  globals: GlobalOptions;
  /** $DESKOPS_HOME or the platform data dir. */
  home(): string;
  /** The config store, for reading; `write: true` for a command that changes it (loads conf). */
  config(options?: { write?: boolean }): Promise<ConfigStore>;
  /** The active profile's desk: starts the embedded local desk when the profile is `local`. */
  helpdesk(): Promise<HelpDesk>;
  connection(): Promise<Connection>;
  /**
   * How every client of this command talks to the desk: --verbose's logger, the abort signal
   * of the command's end, the endpoint limits and their windows shared with other processes,
   * and the wait observers. The bulk desk builds its client from the same.
   */
  clientOptions(): Promise<DeskClientOptions>;
  /**
   * Tells `fn` whenever a request waits for an endpoint's own limit (10 incremental exports a
   * minute...), so long work can show what it is waiting for.
   */
  onRateWait(fn: WaitObserver): void;
  /** Run when the command ends, in reverse order (closing the in-process desk, ...). */
  onExit(fn: () => Promise<void> | void): void;
  /**
   * A local database this command opened (the ticket replica, a KPI cache): a damaged page
   * met later in the command is reported naming the file, with `hint` (how to read it again).
   */
  openedDatabase(file: LocalDatabase): void;
  /** Another client of this command (the bulk desk): --verbose's cost line reads the budget it saw. */
  rateSource(fn: () => RateLimitState): void;
  readonly databases: readonly LocalDatabase[];
  runExitHooks(): Promise<void>;
  /** Every request this command sent, by endpoint: its cost to the account's budget. */
  readonly requests: RequestTally;
}

export interface LocalDatabase {
  /** What it is, as a message names it ("the ticket replica"). */
  what: string;
  path: string;
  hint: string;
}

export interface DeskClientOptions {
  logger?: RequestLogger;
  signal: AbortSignal;
  onWait: WaitObserver;
  endpointLimits: readonly EndpointLimit[];
  ledger?: RequestLedger;
}

export interface ContextOverrides {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function createContext(io: Io, overrides: ContextOverrides = {}): CliContext {
  const env = overrides.env ?? process.env;
  const exitHooks: Array<() => Promise<void> | void> = [];
  const databases: LocalDatabase[] = [];
  const rateSources: Array<() => RateLimitState> = [];
  const waitObservers: WaitObserver[] = [];
  let homeDir: string | undefined;
  let configPromise: Promise<ConfigStore> | undefined;
  let writableConfigPromise: Promise<ConfigStore> | undefined;
  let connectionPromise: Promise<Connection> | undefined;
  let helpdeskPromise: Promise<HelpDesk> | undefined;
  let clientOptionsPromise: Promise<DeskClientOptions> | undefined;

  const ctx: CliContext = {
    io,
    env,
    now: overrides.now ?? systemClock,
    globals: {},
    requests: new RequestTally(),
    home() {
      if (homeDir === undefined) {
        homeDir = resolveHomeSync(env);
      }
      return homeDir;
    },
    config(options) {
      if (options?.write) {
        writableConfigPromise ??= import('../config/store.js').then((m) => m.ConfigStore.open(ctx.home(), { write: true }));
        return writableConfigPromise;
      }
      configPromise ??= import('../config/store.js').then((m) => m.ConfigStore.open(ctx.home(), { write: false }));
      return configPromise;
    },
    connection() {
      connectionPromise ??= (async () => {
        const store = await ctx.config();
        const { resolveConnection } = await import('../config/connection.js');
        const connection = await resolveConnection({
          store,
          env,
          profileFlag: ctx.globals.profile,
          home: ctx.home(),
          now: ctx.now,
          onExit: (fn) => ctx.onExit(fn),
        });
        // From here on nothing printed carries the credentials, whatever the desk echoes.
        const { secretsOf } = await import('../api/redact.js');
        io.mask(secretsOf(connection.auth));
        return connection;
      })();
      return connectionPromise;
    },
    clientOptions() {
      clientOptionsPromise ??= (async () => {
        const connection = await ctx.connection();
        const verbose = ctx.globals.verbose ? await import('./verbose.js') : undefined;
        const printer = verbose?.requestLogger(io);
        const logger: RequestLogger = (entry) => {
          ctx.requests.record(entry.url);
          printer?.(entry);
        };
        if (verbose) {
          waitObservers.push(verbose.waitLogger(io));
          // --verbose ends with what the command cost: registered first, so it prints last
          ctx.onExit(async () => {
            const desk = helpdeskPromise ? await helpdeskPromise.catch(() => undefined) : undefined;
            // the budget as the client that saw it last says (a bulk command's own client first)
            const seen = [...rateSources, ...(desk ? [() => desk.rateLimit()] : [])].map((fn) => fn()).find((r) => r.limit !== null);
            io.err(verbose.costSummary(ctx.requests.since(), seen));
          });
        }
        // When the command ends, requests still in flight (a screen's background reads) are cut
        // and not retried: this hook runs before the in-process desk closes (hooks run last first).
        const ending = new AbortController();
        // Every request in flight listens to it: many at once is normal, not a leak.
        setMaxListeners(0, ending.signal);
        ctx.onExit(() => ending.abort());
        const onWait: WaitObserver = (wait) => {
          for (const fn of waitObservers) fn(wait);
        };
        const { endpointLimitsNamed } = await import('../api/pacer.js');
        const endpointLimits = endpointLimitsNamed(env.DESKOPS_ENDPOINT_LIMITS);
        if (!endpointLimits) {
          const { ConfigError } = await import('../core/errors.js');
          throw new ConfigError(`DESKOPS_ENDPOINT_LIMITS must be zendesk, high-volume or off, got ${JSON.stringify(env.DESKOPS_ENDPOINT_LIMITS)}`);
        }
        // The endpoint windows are the account's: shared with every deskops process on it.
        let ledger: RequestLedger | undefined;
        if (!connection.inProcess && endpointLimits.length > 0) {
          const { FileLedger, ledgerPath } = await import('../api/ledger.js');
          const file = new FileLedger({
            path: ledgerPath(ctx.home(), connection.url),
            onFallback: (why) => io.err(`warning: ${why}`),
          });
          ctx.onExit(() => file.close());
          ledger = file;
        }
        return { logger, signal: ending.signal, onWait, endpointLimits, ledger };
      })();
      return clientOptionsPromise;
    },
    helpdesk() {
      helpdeskPromise ??= (async () => {
        const connection = await ctx.connection();
        const options = await ctx.clientOptions();
        const { createHelpDesk } = await import('../api/index.js');
        return createHelpDesk(connection, options);
      })();
      return helpdeskPromise;
    },
    onRateWait(fn) {
      waitObservers.push(fn);
    },
    onExit(fn) {
      exitHooks.push(fn);
    },
    databases,
    openedDatabase(file) {
      databases.push(file);
    },
    rateSource(fn) {
      rateSources.push(fn);
    },
    async runExitHooks() {
      while (exitHooks.length > 0) {
        const fn = exitHooks.pop()!;
        try {
          await fn();
        } catch {
          // an exit hook must never hide the command's own outcome
        }
      }
    },
  };
  return ctx;
}

/** DESKOPS_HOME, else the platform's data dir for deskops (resolved without loading conf). */
function resolveHomeSync(env: NodeJS.ProcessEnv): string {
  if (env.DESKOPS_HOME && env.DESKOPS_HOME.trim() !== '') return env.DESKOPS_HOME;
  // Mirrors env-paths' data dir so nothing heavy loads for it.
  const home = env.HOME || env.USERPROFILE || '.';
  if (process.platform === 'darwin') return `${home}/Library/Application Support/deskops`;
  if (process.platform === 'win32') return `${env.LOCALAPPDATA || `${home}/AppData/Local`}/deskops/Data`;
  return `${env.XDG_DATA_HOME || `${home}/.local/share`}/deskops`;
}
