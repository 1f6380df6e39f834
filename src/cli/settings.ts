/**
 * The settings deskops reads from config.json ("settings"), each with what it does, its
 * default and the check the command that reads it applies: `deskops config set` refuses what
 * that command would refuse later, so a typo is caught when it is made, not at the next run.
 */
import { ConfigError, UsageError, isDeskopsError } from '../core/errors.js';
import {
  COMPLAINT_KEYWORDS_SETTING,
  COMPLAINT_TAGS_SETTING,
  DEFAULT_COMPLAINT_KEYWORDS,
  DEFAULT_COMPLAINT_TAGS,
  SLA_TARGETS_SETTING,
  SLA_TARGET_HOURS,
  parseFieldIdSetting,
  parseListSetting,
  parseSlaTargets,
} from '../core/kpi/rules.js';
import { LAST_UPDATE_TIME_FIELD_SETTING, TOTAL_TIME_FIELD_SETTING } from '../core/handle-time.js';
import { DEFAULT_ESCALATION_GROUP, DEFAULT_REFRESH_SECONDS, ESCALATION_GROUP_SETTING, REFRESH_SECONDS_SETTING } from '../core/triage.js';
import { DEFAULT_URGENCY_WEIGHTS, URGENCY_WEIGHTS_SETTING, parseUrgencyWeights } from '../core/urgency.js';
import { DEFAULT_LOCALE, parseLocale } from '../core/templates.js';
import { CONTACT_WINDOW_SETTING, DEFAULT_CONTACT_WINDOW_HOURS, parseContactWindowHours } from '../core/contact-policy.js';
import { LOCALE_SETTING } from './commands/template/shared.js';
import { FATIGUE_SETTING, STATUSES_SETTING, checkFatigueDays, checkSurveyStatuses } from './commands/survey/shared.js';
import { settingSeconds, settingText } from './commands/triage/run.js';

export interface SettingSpec {
  key: string;
  what: string;
  /** The value in effect when the setting is not set. */
  byDefault: unknown;
  /** An example for `config set`, as typed on the command line. */
  example: string;
  /** Throws (ConfigError or UsageError) when the value is not one deskops can use. */
  check(value: unknown): void;
  /** A list: "a,b" typed on the command line is stored as ["a", "b"]. */
  list?: boolean;
}

const list = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: URGENCY_WEIGHTS_SETTING,
    what: 'points of each urgency signal in queue and triage (see the README\'s "Urgency")',
    byDefault: DEFAULT_URGENCY_WEIGHTS,
    example: `'{"vip": 40, "priority": {"urgent": 50}}'`,
    check: (v) => void parseUrgencyWeights(v),
  },
  {
    key: REFRESH_SECONDS_SETTING,
    what: 'seconds between triage reloads',
    byDefault: DEFAULT_REFRESH_SECONDS,
    example: '120',
    check: (v) => void settingSeconds(v),
  },
  {
    key: ESCALATION_GROUP_SETTING,
    what: 'the group triage\'s e (escalate) moves tickets to',
    byDefault: DEFAULT_ESCALATION_GROUP,
    example: 'tier-2',
    check: (v) => void settingText(v, ESCALATION_GROUP_SETTING),
  },
  {
    key: LOCALE_SETTING,
    what: 'the template translation replies use',
    byDefault: DEFAULT_LOCALE,
    example: 'es',
    check: (v) => {
      if (typeof v !== 'string') throw new ConfigError(`setting ${LOCALE_SETTING} must be a language tag such as en or es, got ${JSON.stringify(v)}`);
      parseLocale(v);
    },
  },
  {
    key: FATIGUE_SETTING,
    what: 'days a requester is not surveyed again, whatever the survey',
    byDefault: 30,
    example: '14',
    check: (v) => void checkFatigueDays(String(v), `the setting ${FATIGUE_SETTING}`),
  },
  {
    key: CONTACT_WINDOW_SETTING,
    what: 'hours within which a customer gets at most one automated message (sweep reply or survey); 0 turns it off',
    byDefault: DEFAULT_CONTACT_WINDOW_HOURS,
    example: '48',
    check: (v) => void parseContactWindowHours(v),
  },
  {
    key: STATUSES_SETTING,
    list: true,
    what: 'the ticket statuses survey send picks',
    byDefault: ['solved'],
    example: 'solved,pending',
    check: (v) => {
      if (typeof v !== 'string' && !Array.isArray(v)) throw new ConfigError(`setting ${STATUSES_SETTING} must be a list of statuses, got ${JSON.stringify(v)}`);
      checkSurveyStatuses(list(v), `the setting ${STATUSES_SETTING}`);
    },
  },
  {
    key: SLA_TARGETS_SETTING,
    what: 'first reply targets in hours per priority, for kpi\'s SLA figures',
    byDefault: SLA_TARGET_HOURS,
    example: `'{"urgent": 0.5, "normal": 24}'`,
    check: (v) => void parseSlaTargets(v),
  },
  {
    key: COMPLAINT_TAGS_SETTING,
    list: true,
    what: 'tags that make a ticket a complaint in kpi',
    byDefault: DEFAULT_COMPLAINT_TAGS,
    example: 'complaint,escalated',
    check: (v) => void parseListSetting(v, COMPLAINT_TAGS_SETTING, []),
  },
  {
    key: COMPLAINT_KEYWORDS_SETTING,
    list: true,
    what: 'words in the first message that make a ticket a complaint in kpi',
    byDefault: DEFAULT_COMPLAINT_KEYWORDS,
    example: `'complaint,unacceptable,third time'`,
    check: (v) => void parseListSetting(v, COMPLAINT_KEYWORDS_SETTING, []),
  },
  {
    key: TOTAL_TIME_FIELD_SETTING,
    what: 'the ticket field handle time adds up in (found by its title when not set)',
    byDefault: null,
    example: '360012345',
    check: (v) => void parseFieldIdSetting(v, TOTAL_TIME_FIELD_SETTING),
  },
  {
    key: LAST_UPDATE_TIME_FIELD_SETTING,
    what: 'the ticket field for the time of the last update (found by its title when not set)',
    byDefault: null,
    example: '360012346',
    check: (v) => void parseFieldIdSetting(v, LAST_UPDATE_TIME_FIELD_SETTING),
  },
];

export function settingSpec(key: string): SettingSpec {
  const spec = SETTINGS.find((s) => s.key === key);
  if (!spec) throw new UsageError(`unknown setting "${key}"; settings: ${SETTINGS.map((s) => s.key).join(', ')}`);
  return spec;
}

/**
 * A value as typed after `config set KEY`: JSON when it reads as JSON (numbers, lists,
 * objects, true/false), else the text itself; then the setting's own check, whose refusal is
 * a usage error (exit 2) naming the key.
 */
export function parseSettingValue(spec: SettingSpec, text: string): unknown {
  let value: unknown = text;
  const trimmed = text.trim();
  if (/^[[{"\d-]|^(true|false|null)$/.test(trimmed)) {
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      if (/^[[{]/.test(trimmed)) throw new UsageError(`${spec.key}: ${JSON.stringify(text)} is not valid JSON`, { hint: `e.g. deskops config set ${spec.key} ${spec.example}` });
    }
  }
  if (spec.list && typeof value === 'string') value = value.split(',').map((v) => v.trim()).filter(Boolean);
  if (value === null) throw new UsageError(`${spec.key}: use \`deskops config unset ${spec.key}\` to go back to the default`);
  try {
    spec.check(value);
  } catch (err) {
    if (isDeskopsError(err)) throw new UsageError(err.message.replace(/^setting /, ''), { hint: `e.g. deskops config set ${spec.key} ${spec.example}` });
    throw err;
  }
  return value;
}

/** The contact window in hours, from the setting contact.window_hours (default 24). */
export async function contactWindowHours(ctx: { config(): Promise<{ getSetting<T>(key: string): T | undefined }> }): Promise<number> {
  return parseContactWindowHours((await ctx.config()).getSetting<unknown>(CONTACT_WINDOW_SETTING));
}
