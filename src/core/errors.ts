/**
 * Typed errors. Every layer throws these; src/cli/main.ts is the one place that maps them
 * to a one-line message on stderr and an exit code (ARCHITECTURE.md: exit codes).
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  partial: 3,
  auth: 4,
  permission: 5,
} as const;

export class DeskopsError extends Error {
  readonly exitCode: number = ExitCode.error;
  /** A short "what to do next" line printed after the message. */
  hint?: string;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }
}

/** Bad flags, bad values, a command that needs a TTY or --yes. Exit 2. */
export class UsageError extends DeskopsError {
  override readonly exitCode = ExitCode.usage;
}

/** The user said no, or pressed Ctrl-C at a prompt. Exit 2. */
export class Cancelled extends DeskopsError {
  override readonly exitCode = ExitCode.usage;
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** A config file or profile that cannot be used as it is. Exit 1. */
export class ConfigError extends DeskopsError {}

/** 404 from the desk, or a named thing (ticket, profile, template) that does not exist. Exit 1. */
export class NotFoundError extends DeskopsError {}

/** 401 from the desk, or no credentials at all. Exit 4. */
export class AuthError extends DeskopsError {
  override readonly exitCode = ExitCode.auth;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, { hint: 'run `deskops doctor` to check the profile and its token', ...options });
  }
}

/** Any other failure talking to the desk: 4xx/5xx, HTML or truncated answers, network errors. Exit 1. */
export class ApiError extends DeskopsError {
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  constructor(
    message: string,
    options?: { cause?: unknown; hint?: string; status?: number; method?: string; url?: string },
  ) {
    super(message, options);
    this.status = options?.status;
    this.method = options?.method;
    this.url = options?.url;
  }
}

/**
 * 403 from the desk: signed in, but the user's role may not do this (an agent on an
 * admin-only endpoint such as the incremental export). Exit 5. Commands that can do without
 * the endpoint catch it and fall back; the message names what is missing.
 */
export class PermissionError extends ApiError {
  override readonly exitCode: number = ExitCode.permission;
}

/** 409 from a safe update: someone else changed the ticket first. Exit 1. */
export class ConflictError extends ApiError {}

/** A bulk operation in which some items failed. Exit 3. The failures are listed by the caller. */
export class PartialFailure extends DeskopsError {
  override readonly exitCode = ExitCode.partial;
  readonly failures: Array<{ id: number | string; reason: string }>;
  constructor(message: string, failures: Array<{ id: number | string; reason: string }>) {
    super(message);
    this.failures = failures;
  }
}

/**
 * 401 or 403: the desk refused who deskops signs in as, or what that user may do. A bulk run
 * stops at once on one: no retry and no other item of the batch would fare better.
 */
export function isAccessError(err: unknown): err is AuthError | PermissionError {
  return err instanceof AuthError || err instanceof PermissionError;
}

export function isDeskopsError(err: unknown): err is DeskopsError {
  return err instanceof DeskopsError;
}

/** Whether an error from SQLite says a file is not a database or is damaged. */
export function isDamagedDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed|corrupt/i.test(err instanceof Error ? err.message : '');
}

/** A SQLite database's files: the database and its WAL, shared-memory and rollback journal. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}
