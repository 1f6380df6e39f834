/**
 * One table model rendered four ways: a human table (cli-table3, width-aware) on a terminal,
 * `--json`, `--csv` and `--plain` (tab-separated, no color). Piped output with no flag is plain.
 * Every string cell passes through sanitizeLine: customer text never reaches the terminal raw.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { Io } from './io.js';
import { sanitizeLine } from '../core/sanitize.js';

export interface OutputFlags {
  json?: boolean;
  csv?: boolean;
  plain?: boolean;
  fields?: string;
}

export type OutputMode = 'table' | 'json' | 'csv' | 'plain';

export type Tone = 'good' | 'bad' | 'warn' | 'muted' | 'strong' | 'accent' | undefined;

export interface Column<T> {
  /** Field name: used by --fields, as the JSON/CSV key and the default getter. */
  key: string;
  header: string;
  get?: (row: T) => unknown;
  /** The column that takes the leftover width and is truncated first. */
  flex?: boolean;
  /** Upper bound on the column's width in a human table. */
  maxWidth?: number;
  align?: 'left' | 'right';
  /** Coloring for the human table only. */
  tone?: (row: T) => Tone;
}

export function addOutputOptions(cmd: Command, what = 'rows'): Command {
  return cmd
    .option('--json', `print ${what} as JSON`)
    .option('--csv', `print ${what} as CSV`)
    .option('--plain', `print ${what} tab-separated, no color (the default when piped)`)
    .option('--fields <list>', 'comma-separated fields to print, e.g. id,subject,status');
}

export function outputMode(flags: OutputFlags, io: Io): OutputMode {
  const chosen = (['json', 'csv', 'plain'] as const).filter((m) => flags[m]);
  if (chosen.length > 1) throw new UsageError(`choose one of --${chosen.join(', --')}`);
  if (chosen.length === 1) return chosen[0]!;
  return io.stdoutIsTTY ? 'table' : 'plain';
}

function parseFields(fields: string | undefined): string[] | undefined {
  if (fields === undefined) return undefined;
  const list = fields.split(',').map((f) => f.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--fields needs at least one field name');
  return list;
}

/** Refuses --fields names that are not among `valid` (one line naming the valid ones): exit 2. */
function checkFields(fields: string[], valid: Iterable<string>): void {
  const known = new Set(valid);
  const unknown = fields.filter((f) => !known.has(f));
  if (unknown.length === 0) return;
  const what = unknown.length === 1 ? `unknown field "${unknown[0]}"` : `unknown fields ${unknown.map((f) => `"${f}"`).join(', ')}`;
  throw new UsageError(`--fields: ${what}; fields: ${[...known].join(', ')}`);
}

/** The keys of JSON items, in first-seen order. */
function jsonKeys(items: readonly unknown[]): string[] {
  const keys = new Set<string>();
  for (const item of items) if (item !== null && typeof item === 'object') for (const k of Object.keys(item)) keys.add(k);
  return [...keys];
}

function selectColumns<T>(columns: Column<T>[], fields: string[] | undefined): Column<T>[] {
  if (!fields) return columns;
  checkFields(fields, columns.map((c) => c.key));
  const byKey = new Map(columns.map((c) => [c.key, c]));
  return fields.map((f) => byKey.get(f)!);
}

function cellValue<T>(col: Column<T>, row: T): unknown {
  return col.get ? col.get(row) : (row as Record<string, unknown>)[col.key];
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => cellText(v)).join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return sanitizeLine(String(value));
}

/**
 * A CSV cell. One a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) is prefixed with a quote; only a cell that is entirely a number may start
 * with "-" (-2+3+cmd|... starts with a digit too, and is a formula).
 */
export function csvEscape(text: string): string {
  const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text);
  const safe = /^[=+\-@\t\r]/.test(text) && !number ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function pick(record: unknown, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = record as Record<string, unknown>;
  for (const f of fields) out[f] = src[f] ?? null;
  return out;
}

export interface ListOptions<T> {
  /** The JSON form of one row (default: the row itself). */
  toJson?: (row: T) => unknown;
  /** Printed to stderr in table mode when there are no rows. */
  emptyMessage?: string;
}

/** Prints a list in the chosen mode. JSON is always an array. */
export async function printList<T>(
  io: Io,
  rows: T[],
  columns: Column<T>[],
  flags: OutputFlags,
  options: ListOptions<T> = {},
): Promise<void> {
  await printPages(io, onePage(rows), columns, flags, options);
}

async function* onePage<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}

/**
 * printList for rows that arrive a page at a time (`--all`): JSON, CSV and plain text are
 * written as each page comes, so the first rows show at once and memory stays flat, and the
 * bytes are the same as printList's. A human table needs every row for its widths, so it
 * waits for them all.
 */
export async function printPages<T>(
  io: Io,
  pages: AsyncIterable<T[]>,
  columns: Column<T>[],
  flags: OutputFlags,
  options: ListOptions<T> = {},
): Promise<void> {
  const mode = outputMode(flags, io);
  const fields = parseFields(flags.fields);
  if (mode === 'json') {
    await printJsonPages(io, pages, fields, options.toJson);
    return;
  }
  const cols = selectColumns(columns, fields);
  if (mode === 'csv' || mode === 'plain') {
    const line =
      mode === 'csv'
        ? (r: T) => cols.map((c) => csvEscape(cellText(cellValue(c, r)))).join(',')
        : (r: T) => cols.map((c) => cellText(cellValue(c, r))).join('\t');
    // The header goes with the first page, so a failure before any row leaves stdout empty.
    const header = mode === 'csv' ? cols.map((c) => csvEscape(c.key)).join(',') : cols.map((c) => c.key).join('\t');
    let started = false;
    for await (const page of pages) {
      if (page.length === 0) continue;
      io.out(started ? page.map(line).join('\n') : [header, ...page.map(line)].join('\n'));
      started = true;
    }
    if (!started) io.out(header);
    return;
  }
  const rows: T[] = [];
  for await (const page of pages) rows.push(...page);
  if (rows.length === 0) {
    io.err(options.emptyMessage ?? 'nothing to show');
    return;
  }
  io.out(await renderTable(io, rows, cols));
}

/**
 * A JSON array written item by item, byte for byte what JSON.stringify(items, null, 2)
 * gives. --fields are checked against the keys of the first page's items (with no items
 * there is nothing to check).
 */
async function printJsonPages<T>(io: Io, pages: AsyncIterable<T[]>, fields: string[] | undefined, toJson?: (row: T) => unknown): Promise<void> {
  // The last item is held back until it is known whether a comma follows it.
  let held: string | undefined;
  for await (const page of pages) {
    if (page.length === 0) continue;
    const items = page.map((r) => (toJson ? toJson(r) : r));
    if (fields && held === undefined) checkFields(fields, jsonKeys(items));
    const values = fields ? items.map((i) => pick(i, fields)) : items;
    // All but the last in one go: an array's items come out indented and comma-joined as the
    // item-by-item form writes them ("[\n" and "\n]" cut off).
    const rest = values.length > 1 ? JSON.stringify(values.slice(0, -1), null, 2) : undefined;
    const lines = held === undefined ? ['['] : [`${held},`];
    if (rest !== undefined) lines.push(`${rest.slice(2, -2)},`);
    held = indent(JSON.stringify(values[values.length - 1], null, 2));
    io.out(lines.join('\n'));
  }
  io.out(held === undefined ? '[]' : `${held}\n]`);
}

/** Two spaces before each line (split on \n only: JSON leaves U+2028 in strings as it is). */
function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

/** Prints one record: JSON object, or a human rendering. */
export async function printRecord(
  io: Io,
  record: unknown,
  flags: OutputFlags,
  human: () => string | Promise<string>,
): Promise<void> {
  const mode = outputMode(flags, io);
  const fields = parseFields(flags.fields);
  if (fields) checkFields(fields, jsonKeys([record]));
  if (mode === 'json') {
    io.out(JSON.stringify(fields ? pick(record, fields) : record, null, 2));
    return;
  }
  // asked for with --plain (piped without it, a record keeps its human lines)
  if (mode === 'plain' && !fields && flags.plain === true) {
    io.out(plainRecordLines(record).join('\n'));
    return;
  }
  if (mode === 'csv' || (mode === 'plain' && fields)) {
    const keys = fields ?? Object.keys(record as object).filter((k) => typeof (record as Record<string, unknown>)[k] !== 'object');
    const sep = mode === 'csv' ? ',' : '\t';
    const esc = mode === 'csv' ? csvEscape : (s: string) => s;
    const src = record as Record<string, unknown>;
    io.out([keys.map(esc).join(sep), keys.map((k) => esc(cellText(src[k]))).join(sep)].join('\n'));
    return;
  }
  io.out(await human());
}

/** A value on one plain line: tabs, newlines and backslashes written as \\t, \\n and \\\\. */
function plainValue(v: unknown): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/**
 * One record as `key<TAB>value` lines, for scripts (grep, cut, awk): nested objects by dotted
 * keys (requester.name), lists of values comma-joined (tags), lists of records numbered
 * (comments.0.body).
 */
export function plainRecordLines(record: unknown, prefix = ''): string[] {
  if (record === null || typeof record !== 'object') return [`${prefix.replace(/\.$/, '')}\t${record === null || record === undefined ? '' : plainValue(record)}`];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(record as Record<string, unknown>)) {
    const key = `${prefix}${k}`;
    if (v === null || v === undefined) lines.push(`${key}\t`);
    else if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) lines.push(`${key}\t${v.map((x) => plainValue(x ?? '')).join(',')}`);
      else v.forEach((x, i) => lines.push(...plainRecordLines(x, `${key}.${i}.`)));
    } else if (typeof v === 'object') lines.push(...plainRecordLines(v, `${key}.`));
    else lines.push(`${key}\t${plainValue(v)}`);
  }
  return lines;
}

/** A painter that colors only when the io allows it. */
export async function painter(io: Io): Promise<(tone: Tone, text: string) => string> {
  if (!io.color) return (_tone, text) => text;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return (tone, text) => {
    switch (tone) {
      case 'good':
        return chalk.green(text);
      case 'bad':
        return chalk.red(text);
      case 'warn':
        return chalk.yellow(text);
      case 'muted':
        return chalk.dim(text);
      case 'strong':
        return chalk.bold(text);
      case 'accent':
        return chalk.cyan(text);
      default:
        return text;
    }
  };
}

async function renderTable<T>(io: Io, rows: T[], allCols: Column<T>[]): Promise<string> {
  const [{ default: Table }, { default: stringWidth }] = await Promise.all([
    import('cli-table3'),
    import('string-width'),
  ]);
  const paint = await painter(io);
  const allTexts = rows.map((r) => allCols.map((c) => cellText(cellValue(c, r))));
  const natural = allCols.map((c, i) => Math.max(stringWidth(c.header), ...allTexts.map((t) => stringWidth(t[i]!))));
  const total = io.columns ?? 120;
  const keep = columnsThatFit(allCols, natural, total);
  const cols = keep.map((i) => allCols[i]!);
  const texts = allTexts.map((t) => keep.map((i) => t[i]!));
  const widths = fitWidths(cols, keep.map((i) => natural[i]!), total);
  const table = new Table({
    head: cols.map((c) => paint('strong', c.header)),
    colWidths: widths.map((w) => w + 2),
    colAligns: cols.map((c) => c.align ?? 'left'),
    wordWrap: false,
    truncate: '…',
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: '',
    },
  });
  rows.forEach((r, ri) => {
    table.push(cols.map((c, ci) => paint(c.tone?.(r), texts[ri]![ci]!)));
  });
  return table
    .toString()
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n');
}

const PADDING = 2;
const FLEX_FLOOR = 10;
const FLOOR = 4;

/**
 * Indexes of the columns a terminal of `total` columns can show: when even the narrowest
 * widths do not fit, columns are dropped from the right (never the first or the flex column),
 * then the flex column's floor gives way, so a tiny terminal still gets a readable table.
 */
export function columnsThatFit<T>(cols: Column<T>[], natural: number[], total: number): number[] {
  const floorOf = (i: number) => Math.min(natural[i]!, cols[i]!.flex ? FLEX_FLOOR : FLOOR) + PADDING;
  const keep = cols.map((_, i) => i);
  const need = () => keep.reduce((sum, i) => sum + floorOf(i), 0);
  for (let i = cols.length - 1; i > 0 && need() > total; i--) {
    if (!cols[i]!.flex) keep.splice(keep.indexOf(i), 1);
  }
  for (let i = cols.length - 1; i > 0 && need() > total; i--) {
    if (keep.includes(i) && cols[i]!.flex && keep.length > 1) keep.splice(keep.indexOf(i), 1);
  }
  return keep;
}

/**
 * Content widths for a terminal of `total` columns: each column keeps its natural width up to
 * its maxWidth; when the sum is too wide the flex column (else the widest) shrinks, then the
 * others, never below a few characters.
 */
export function fitWidths<T>(cols: Column<T>[], natural: number[], total: number): number[] {
  const budget = Math.max(cols.length, total - cols.length * PADDING);
  const widths = natural.map((w, i) => Math.max(1, Math.min(w, cols[i]!.maxWidth ?? Infinity)));
  let excess = widths.reduce((a, b) => a + b, 0) - budget;
  if (excess <= 0) return widths;
  const order = cols
    .map((c, i) => i)
    .sort((a, b) => Number(Boolean(cols[b]!.flex)) - Number(Boolean(cols[a]!.flex)) || widths[b]! - widths[a]!);
  for (const i of order) {
    if (excess <= 0) break;
    const floor = Math.min(widths[i]!, cols[i]!.flex ? FLEX_FLOOR : FLOOR);
    const take = Math.min(excess, Math.max(0, widths[i]! - floor));
    widths[i]! -= take;
    excess -= take;
  }
  // Still too wide (a terminal narrower than the floors): shrink whatever is left, down to 1.
  for (const i of order) {
    if (excess <= 0) break;
    const take = Math.min(excess, widths[i]! - 1);
    widths[i]! -= take;
    excess -= take;
  }
  return widths;
}
