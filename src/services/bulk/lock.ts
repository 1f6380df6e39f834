/**
 * One bulk run per profile at a time: $DESKOPS_HOME/locks/<name>.lock, created with O_EXCL
 * (so two processes can never both create it), holding the owner's pid, host and run id.
 * A lock whose process is gone (a crash, kill -9) is stale: the next run takes it over with a
 * warning. Taking over is serialised by a short-lived second lock, so two processes that both
 * find the same stale lock cannot both win.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DeskopsError } from '../../core/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  /** What holds it, e.g. "sweep run". */
  command: string;
  run_id?: string;
  started_at: string;
  /**
   * When the holder process started, as the system counts it (Linux: clock ticks since boot,
   * from /proc): a pid reused by another process after a crash does not look like the holder.
   */
  proc_start?: string;
}

/** When process `pid` started (Linux /proc), or undefined where that cannot be read. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 of the whole line: starttime
  } catch {
    return undefined;
  }
}

/** Another live process holds the lock. Exit 1. */
export class LockedError extends DeskopsError {
  readonly holder: LockInfo;
  constructor(message: string, holder: LockInfo, hint?: string) {
    super(message, { hint });
    this.holder = holder;
  }
}

export function lockPath(home: string, name: string): string {
  return join(home, 'locks', `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);
}

/** Whether a process with this pid exists (on this host). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(file: string): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number') {
      return {
        pid: v.pid,
        host: String(v.host ?? ''),
        command: String(v.command ?? ''),
        run_id: v.run_id,
        started_at: String(v.started_at ?? ''),
        ...(typeof v.proc_start === 'string' ? { proc_start: v.proc_start } : {}),
      };
    }
  } catch {
    // a lock cut short while being written: its owner died before it even started
  }
  return { pid: -1, host: hostname(), command: 'unknown', started_at: '' };
}

/** Whether the lock's owner is still running (a lock from another host is assumed to be). */
export function lockIsLive(info: LockInfo): boolean {
  if (info.host && info.host !== hostname()) return true;
  if (!isProcessAlive(info.pid)) return false;
  // Alive, but is it the holder? A pid is reused once its process is gone.
  if (info.proc_start !== undefined) {
    const now = processStart(info.pid);
    if (now !== undefined && now !== info.proc_start) return false;
  }
  return true;
}

export interface LockHandle {
  readonly file: string;
  readonly info: LockInfo;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

export interface AcquireOptions {
  command: string;
  runId?: string;
  /** Told when a stale lock is taken over. */
  onStale?: (previous: LockInfo) => void;
  /** Message when the lock is held, e.g. "a sweep is already running on profile local". */
  describe?: (holder: LockInfo) => { message: string; hint?: string };
}

/** Takes the lock or throws LockedError naming who holds it. */
export function acquireLock(file: string, options: AcquireOptions): LockHandle {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const procStart = processStart(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    run_id: options.runId,
    started_at: new Date().toISOString(),
    ...(procStart !== undefined ? { proc_start: procStart } : {}),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, info)) return handle(file, info);
    const holder = readLock(file);
    if (!holder) continue; // released meanwhile: try again
    if (lockIsLive(holder)) {
      const d = options.describe?.(holder) ?? {
        message: `${holder.command || 'another deskops process'} is already running (pid ${holder.pid}${holder.run_id ? `, run ${holder.run_id}` : ''})`,
      };
      throw new LockedError(d.message, holder, `${d.hint ?? 'wait for it to finish'} (the lock is ${file}; if its process is gone, delete it)`);
    }
    if (takeOver(file, holder, info)) {
      options.onStale?.(holder);
      return handle(file, info);
    }
  }
  const holder = readLock(file) ?? info;
  throw new LockedError(`could not take the lock ${file}`, holder, 'another process is taking it at the same time; try again');
}

function tryCreate(file: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Replaces a stale lock, under a takeover lock so only one process does it: re-reads the lock,
 * and only if it still names the same dead owner moves it aside and creates ours.
 */
function takeOver(file: string, stale: LockInfo, info: LockInfo): boolean {
  const guard = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A takeover guard older than 10 s belongs to a process that died during a takeover.
    const age = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 10_000) {
      try {
        unlinkSync(guard);
      } catch {
        // someone else removed it
      }
    }
    return false;
  }
  closeSync(fd);
  try {
    const now = readLock(file);
    if (now && (now.pid !== stale.pid || now.started_at !== stale.started_at)) return false;
    if (now) {
      try {
        renameSync(file, `${file}.stale-${stale.pid}`);
        unlinkSync(`${file}.stale-${stale.pid}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return tryCreate(file, info);
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // already gone
    }
  }
}

function handle(file: string, info: LockInfo): LockHandle {
  let released = false;
  return {
    file,
    info,
    release() {
      if (released) return;
      released = true;
      const now = readLock(file);
      if (now && now.pid === info.pid && now.started_at === info.started_at) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    },
  };
}
