/**
 * Where the local desk keeps its state under $DESKOPS_HOME, and its credentials file.
 * Node builtins only: src/desk/index.ts imports this eagerly.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeskPaths {
  dir: string;
  db: string;
  credentials: string;
}

export interface DeskCredentials {
  /** The default user, an agent. */
  email: string;
  /** The account's API token: any user's email goes with it. */
  token: string;
  /** The account's admin, for work an agent may not do. */
  admin_email?: string;
}

export function deskPaths(home: string): DeskPaths {
  const dir = join(home, 'desk');
  return { dir, db: join(dir, 'desk.sqlite'), credentials: join(dir, 'credentials.json') };
}

/** Creates <home>/desk with mode 0700 (and tightens it if it already exists). */
export function ensureDeskDir(home: string): DeskPaths {
  const paths = deskPaths(home);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(paths.dir, 0o700);
  } catch {
    // not ours to fix (e.g. a read-only mount); the credentials file itself is still 0600
  }
  return paths;
}

export function readCredentialsFile(path: string): DeskCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<DeskCredentials>;
    if (typeof value.email === 'string' && typeof value.token === 'string' && value.email && value.token) {
      return { email: value.email, token: value.token, ...(typeof value.admin_email === 'string' && value.admin_email ? { admin_email: value.admin_email } : {}) };
    }
  } catch {
    // a damaged file counts as missing: the next start or seed writes a new one
  }
  return undefined;
}

/** Writes credentials.json with mode 0600, atomically (temp file then rename). */
export function writeCredentialsFile(path: string, credentials: DeskCredentials): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
