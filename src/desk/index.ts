/**
 * The embedded local help desk: a real HTTP server speaking the Zendesk Support API v2
 * dialect, stored in SQLite under $DESKOPS_HOME/desk. This module is what the rest of deskops
 * imports; it loads only node builtins at the top so that `deskops --help` and commands that
 * never touch the desk pay nothing for it. libsql and the server are imported on first use.
 */
import { rmSync } from 'node:fs';
import type { DeskOptions, RunningDesk, SeedOptions, SeedSummary } from './options.js';
import { deskPaths, readCredentialsFile } from './paths.js';
import { databaseFiles } from '../core/errors.js';

export type { DeskOptions, RunningDesk, SeedOptions, SeedSummary } from './options.js';
export { DEFAULT_INDEX_LAG_S, DEFAULT_SEED, DEFAULT_SEED_TICKETS } from './options.js';

/**
 * Opens (or creates) the desk database, seeds the default demo data if it has none, and
 * listens on a loopback port. Opening an already seeded desk does no heavy work.
 */
export async function startDesk(opts: DeskOptions): Promise<RunningDesk> {
  const { startDeskServer } = await import('./start.js');
  return startDeskServer(opts);
}

/** Wipes the desk and rebuilds the demo data; makes a new random token. */
export async function seedDesk(opts: SeedOptions): Promise<SeedSummary> {
  const { seedDeskAt } = await import('./start.js');
  return seedDeskAt(opts);
}

/** Deletes the desk database and its credentials; the next start seeds it again. */
export async function resetDesk(opts: { home: string }): Promise<void> {
  const paths = deskPaths(opts.home);
  for (const file of [...databaseFiles(paths.db), paths.credentials]) {
    rmSync(file, { force: true });
  }
}

/** The local desk's agent email, token and admin email, if it has been seeded. */
export function readDeskCredentials(home: string): { email: string; token: string; admin_email?: string } | undefined {
  return readCredentialsFile(deskPaths(home).credentials);
}
