/**
 * Customers for churn_rate from a CSV file given with --customers (the desk's organizations
 * are listed and stored by listings.ts). The CSV has a header row naming its columns: `id` or `name`
 * (at least one), `active_from` and `churned_at` (YYYY-MM-DD or an ISO date-time, either may
 * be empty); other columns are ignored. Every problem is reported as FILE:LINE: what.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import type { KpiCustomer } from '../../core/kpi/types.js';

/** The most customers a CSV may list (the file is read whole). */
const MAX_CUSTOMERS = 1_000_000;

function parseDate(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== t) return undefined;
    return ms / 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return undefined;
}

/** Reads and checks a customers CSV; errors are UsageErrors naming FILE:LINE. */
export async function readCustomersCsv(path: string): Promise<KpiCustomer[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--customers: cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
  return parseCustomersCsv(text, path);
}

/** Parses customers CSV text; `file` names it in errors. */
export async function parseCustomersCsv(text: string, file: string): Promise<KpiCustomer[]> {
  const { parse } = await import('csv-parse/sync');
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      info: true,
      to: MAX_CUSTOMERS + 1,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    const reason = e.message.replace(/\s+(on|at) line \d+/i, '').trim();
    throw new UsageError(`${file}:${e.lines ?? 1}: ${reason || 'not valid CSV'}`);
  }
  if (records.length === 0) throw new UsageError(`${file}:1: no customers (a header row and at least one row are needed)`);
  const columns = Object.keys(records[0]!.record);
  if (!columns.includes('id') && !columns.includes('name')) {
    throw new UsageError(`${file}:1: needs an "id" or "name" column (found: ${columns.join(', ') || 'none'})`);
  }
  if (records.length > MAX_CUSTOMERS) throw new UsageError(`${file}: more than ${MAX_CUSTOMERS} customers`);
  const seen = new Map<string, number>();
  return records.map(({ record, info }) => {
    const line = info.lines;
    const id = (record.id ?? '').trim();
    const name = (record.name ?? '').trim();
    const key = id || name;
    if (key === '') throw new UsageError(`${file}:${line}: the customer has neither an id nor a name`);
    const first = seen.get(key);
    if (first !== undefined) throw new UsageError(`${file}:${line}: customer "${key}" is listed twice (first on line ${first})`);
    seen.set(key, line);
    const date = (column: 'active_from' | 'churned_at'): number | null => {
      const raw = record[column] ?? '';
      const value = parseDate(raw);
      if (value === undefined) throw new UsageError(`${file}:${line}: ${column} "${raw.trim()}" is not a date (use YYYY-MM-DD)`);
      return value;
    };
    const activeFrom = date('active_from');
    const churnedAt = date('churned_at');
    if (activeFrom !== null && churnedAt !== null && churnedAt < activeFrom) {
      throw new UsageError(`${file}:${line}: churned_at is before active_from`);
    }
    const c: KpiCustomer = { id: key, name: name || key, activeFrom, churnedAt };
    return churnedAt === null ? c : { ...c, churnSource: 'date' };
  });
}
