/** What the survey commands share: flags, settings, the budgeted desk under the survey lock. */
import type { CliContext } from '../../context.js';
import type { TicketStatus } from '../../../core/model.js';
import { UsageError } from '../../../core/errors.js';
import { parseSince } from '../../../core/kpi/period.js';
import { SURVEY_SCALES, SURVEY_TYPES, parseSurveyType, type SurveyType } from '../../../core/survey.js';
import type { BulkDesk, RunScope } from '../../../services/bulk/index.js';
import { openBulk } from '../../bulk.js';
import { DEFAULT_FATIGUE_DAYS, DEFAULT_SURVEY_STATUSES, SURVEY_KIND } from '../../../services/survey.js';

export const FATIGUE_SETTING = 'survey.fatigue_days';
export const STATUSES_SETTING = 'survey.statuses';

export function surveyType(value: string | undefined, required = true): SurveyType | undefined {
  if (value === undefined) {
    if (required) throw new UsageError(`--type is required: one of ${SURVEY_TYPES.join(', ')}`);
    return undefined;
  }
  const t = parseSurveyType(value);
  if (!t) throw new UsageError(`--type must be one of ${SURVEY_TYPES.join(', ')}, got "${value}"`);
  return t;
}

/** `--since 7d` as the start of the window. */
export function sinceDate(value: string, now: Date): Date {
  return new Date(parseSince(value, Math.floor(now.getTime() / 1000)).from * 1000);
}

const STATUSES: readonly TicketStatus[] = ['open', 'pending', 'hold', 'solved'];

/** The statuses surveyed: --status, else the `survey.statuses` setting, else solved. */
export async function surveyStatuses(ctx: CliContext, flag: string | undefined): Promise<TicketStatus[]> {
  const stored = flag === undefined ? (await ctx.config()).getSetting<unknown>(STATUSES_SETTING) : undefined;
  const raw = flag ?? (Array.isArray(stored) ? stored.join(',') : typeof stored === 'string' ? stored : undefined);
  if (raw === undefined) return [...DEFAULT_SURVEY_STATUSES];
  return checkSurveyStatuses(raw, flag !== undefined ? '--status' : `the setting ${STATUSES_SETTING}`);
}

/** Statuses to survey from "solved,pending": throws UsageError naming `where` for anything else. */
export function checkSurveyStatuses(raw: string, where: string): TicketStatus[] {
  const list = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const s of list) {
    if (s === 'closed') throw new UsageError(`${where}: closed tickets cannot be changed, so they cannot be surveyed`);
    if (!(STATUSES as readonly string[]).includes(s)) throw new UsageError(`${where} must list statuses from ${STATUSES.join(', ')}, got "${s}"`);
  }
  if (list.length === 0) throw new UsageError(`${where} is empty`);
  return [...new Set(list)] as TicketStatus[];
}

/** Days a requester is not surveyed again: --fatigue-days, else the setting, else 30. */
export async function fatigueDays(ctx: CliContext, flag: string | undefined): Promise<number> {
  const stored = flag === undefined ? (await ctx.config()).getSetting<unknown>(FATIGUE_SETTING) : undefined;
  const raw = flag ?? (stored === undefined ? undefined : String(stored));
  if (raw === undefined) return DEFAULT_FATIGUE_DAYS;
  return checkFatigueDays(raw, flag !== undefined ? '--fatigue-days' : `the setting ${FATIGUE_SETTING}`);
}

/** Days from "30": a whole number from 0 to 3650, else a UsageError naming `where`. */
export function checkFatigueDays(raw: string, where: string): number {
  const n = Number(raw);
  if (!/^\d{1,4}$/.test(raw.trim()) || !Number.isInteger(n) || n > 3650) {
    throw new UsageError(`${where} must be a whole number of days from 0 to 3650, got "${raw}"`);
  }
  return n;
}

export function parseTicketIds(values: string[] | undefined): number[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => {
    const s = v.trim().replace(/^#/, '');
    if (!/^\d{1,15}$/.test(s) || Number(s) < 1) throw new UsageError(`--ticket must be ticket ids such as 42 or 42,43, got "${v}"`);
    return Number(s);
  });
}

/** The budgeted desk and the scope of the profile's survey runs. */
export async function openSurveyDesk(ctx: CliContext, maxRate: number | undefined): Promise<{ bulk: BulkDesk; scope: RunScope }> {
  return openBulk(ctx, SURVEY_KIND, maxRate);
}

export const directionNote = (type: SurveyType) => `${SURVEY_SCALES[type].label} ${SURVEY_SCALES[type].direction}`;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
