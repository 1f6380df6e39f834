/**
 * Follow-up sweep rules: YAML files (shipped templates/sweeps/*.yml, $DESKOPS_HOME/sweeps/*.yml
 * or --rules FILE) parsed into data, with every problem reported as `file:line: message`.
 * Pure: text in, rules out.
 *
 *   business_hours: { timezone: UTC, days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }
 *   rules:
 *     - name: pending_reminder            # marker tags: sweep_pending_reminder_1, _2, _3
 *       description: Waiting on the customer: two reminders, then solve
 *       when:
 *         status: pending                 # one status or a list
 *         since: status_change            # the clock the steps' ages are measured on
 *       min_gap: 1 business_day           # steps after the first: since the last update
 *       steps:
 *         - at_least: 2 business_days
 *           template: followup-pending-reminder-1
 *         - at_least: 7 business_days
 *           template: followup-closing-no-answer
 *           status: solved
 *     - name: hold_nudge                  # marker tag: sweep_hold_nudge
 *       when: { status: hold, since: status_change, at_least: 5 days }
 *       then:
 *         note: "{{ ticket.assignee.first_name }}, this has been on hold for over 5 days."
 *
 * Conditions (`when`): status, since + at_least / at_most (or `age:` a list of those), tags (all
 * present), tags_any, no_tags, group (names or ids), priority (or none), channel,
 * group_changed_since_public_reply. Actions (`then`, or each step): one of template (from the
 * library), reply (inline Liquid, public) or note (inline Liquid, internal); public (overrides
 * the template's), vars, locale, status, tags, remove_tags, priority, assignee.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from './model.js';
import {
  DEFAULT_CALENDAR,
  WEEKDAYS,
  isTimeZone,
  parseClock,
  parseDuration,
  type BusinessCalendar,
  type Duration,
} from './business-hours.js';
import { closestNames } from './templates.js';

/** What a rule's clock starts from. */
export const SINCE_REFS = [
  'updated',
  'created',
  'status_change',
  'solved',
  'requester_update',
  'agent_update',
  'last_public_reply',
  'transfer',
] as const;
export type SinceRef = (typeof SINCE_REFS)[number];

/** Clocks read from the ticket itself, from its metric set, or from its comments. */
export const SINCE_SOURCE: Record<SinceRef, 'ticket' | 'metrics' | 'thread'> = {
  updated: 'ticket',
  created: 'ticket',
  status_change: 'metrics',
  solved: 'metrics',
  requester_update: 'metrics',
  agent_update: 'metrics',
  last_public_reply: 'thread',
  transfer: 'thread',
};

export interface AgeCondition {
  since: SinceRef;
  atLeast?: Duration;
  atMost?: Duration;
  /** As written, for messages: "at least 2 business days since status_change". */
  text: string;
}

export interface SweepConditions {
  status?: TicketStatus[];
  ages: AgeCondition[];
  tags: string[];
  tagsAny: string[];
  noTags: string[];
  /** Group names (lowercased) or ids, resolved against the desk's groups when planning. */
  groups?: Array<string | number>;
  priorities?: Array<TicketPriority | 'none'>;
  channels?: string[];
  groupChangedSincePublicReply?: boolean;
}

export interface SweepAction {
  /** A template from the library... */
  template?: string;
  /** ...or an inline Liquid body, with the line it starts on. */
  inline?: { body: string; line: number; public: boolean };
  /** Overrides the template's public/internal choice. */
  public?: boolean;
  vars: Record<string, string>;
  locale?: string;
  status?: TicketStatus;
  tags: string[];
  removeTags: string[];
  priority?: TicketPriority;
  /** me, none, an agent id or email. */
  assignee?: string;
}

/** One firing unit: a rule without steps, or one step of a rule. Each has its own marker tag. */
export interface SweepStep {
  /** "pending_reminder/1", or the rule name for a rule without steps. */
  id: string;
  rule: string;
  /** 1-based, null for a rule without steps. */
  step: number | null;
  description: string;
  /** The tag that records, on the ticket, that this step was done. */
  marker: string;
  /** Markers that must be on the ticket first (the previous step's). */
  requires: string[];
  conditions: SweepConditions;
  action: SweepAction;
  file: string;
  line: number;
}

export interface RuleProblem {
  file: string;
  line: number;
  message: string;
}

export interface RuleFile {
  file: string;
  calendar?: { value: BusinessCalendar; line: number };
  steps: SweepStep[];
  /** Rule names this file turns off (`enabled: false`). */
  disabled: Array<{ rule: string; line: number }>;
  problems: RuleProblem[];
}

export interface RuleSet {
  calendar: BusinessCalendar;
  steps: SweepStep[];
  files: string[];
}

export function formatRuleProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

const RULE_NAME = /^[a-z][a-z0-9_-]{0,47}$/;
const TAG = /^[^\s,]{1,80}$/;
const VAR_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const LOCALE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;
const SETTABLE_STATUSES = TICKET_STATUSES.filter((s) => s !== 'new');

const TOP_KEYS = ['business_hours', 'rules'];
const RULE_KEYS = ['name', 'description', 'enabled', 'marker', 'when', 'then', 'steps', 'min_gap'];
const WHEN_KEYS = [
  'status', 'since', 'at_least', 'at_most', 'age', 'tags', 'tags_any', 'no_tags', 'group', 'priority', 'channel',
  'group_changed_since_public_reply',
];
const ACTION_KEYS = ['template', 'reply', 'note', 'public', 'vars', 'locale', 'status', 'tags', 'remove_tags', 'priority', 'assignee'];
const STEP_KEYS = ['at_least', 'at_most', 'description', ...ACTION_KEYS];
const CALENDAR_KEYS = ['timezone', 'days', 'hours'];

/** The marker tag of a rule (and step). */
export function markerTag(rule: string, step: number | null): string {
  const base = `sweep_${rule.replace(/-/g, '_')}`;
  return step === null ? base : `${base}_${step}`;
}

/**
 * Parses one rules file. Never throws for bad input: problems come back with file:line, and
 * a rule with problems is left out.
 */
export function parseRuleFile(text: string, file: string): RuleFile {
  const out: RuleFile = { file, steps: [], disabled: [], problems: [] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  for (const e of doc.errors) out.problems.push({ file, line: lineAt(e.pos?.[0]), message: `YAML: ${firstLine(e.message)}` });
  if (doc.errors.length > 0) return out;
  const r = new Reader(doc, file, lineAt, out.problems);
  const root = r.resolve(doc.contents);
  if (root === null || root === undefined) {
    out.problems.push({ file, line: 1, message: 'the file is empty: expected `rules:` with a list of rules' });
    return out;
  }
  if (!isMap(root)) {
    r.problem(root, 'expected a map with `rules:` (and optionally `business_hours:`)');
    return out;
  }
  const top = r.pairs(root, TOP_KEYS, 'top-level key');
  const cal = top.get('business_hours');
  if (cal) {
    const value = parseCalendar(r, cal);
    if (value) out.calendar = { value, line: r.lineOf(cal.key) };
  }
  const rules = top.get('rules');
  if (!rules) {
    out.problems.push({ file, line: 1, message: 'no `rules:` list in the file' });
    return out;
  }
  const list = r.resolve(rules.value);
  if (!isSeq(list)) {
    r.problem(rules.value ?? rules.key, '`rules:` must be a list of rules');
    return out;
  }
  const names = new Map<string, number>();
  for (const item of list.items) {
    const before = out.problems.length;
    const parsed = parseRule(r, item as Node);
    if (!parsed) continue;
    const seen = names.get(parsed.name);
    if (seen !== undefined) {
      out.problems.push({ file, line: parsed.line, message: `rule "${parsed.name}" is defined twice in this file (first on line ${seen})` });
      continue;
    }
    names.set(parsed.name, parsed.line);
    if (parsed.enabled === false) {
      out.disabled.push({ rule: parsed.name, line: parsed.line });
      continue;
    }
    if (out.problems.length === before) out.steps.push(...parsed.steps);
  }
  checkMarkers(out);
  return out;
}

/**
 * The rules in effect from several files, in order: a later file's rule replaces an earlier
 * one of the same name (user rules over shipped ones) or turns it off with `enabled: false`.
 * The last `business_hours` given wins. Problems of every file are returned together.
 */
export function mergeRuleFiles(files: RuleFile[]): { rules: RuleSet; problems: RuleProblem[] } {
  const byRule = new Map<string, SweepStep[]>();
  let calendar = DEFAULT_CALENDAR;
  const problems: RuleProblem[] = [];
  for (const f of files) {
    problems.push(...f.problems);
    if (f.calendar) calendar = f.calendar.value;
    for (const d of f.disabled) byRule.delete(d.rule);
    const here = new Map<string, SweepStep[]>();
    for (const s of f.steps) here.set(s.rule, [...(here.get(s.rule) ?? []), s]);
    for (const [rule, steps] of here) {
      byRule.delete(rule); // re-inserted at the end: a replaced rule takes the new file's place in the order
      byRule.set(rule, steps);
    }
  }
  const steps = [...byRule.values()].flat();
  const markers = new Map<string, SweepStep>();
  for (const s of steps) {
    const other = markers.get(s.marker);
    if (other) problems.push({ file: s.file, line: s.line, message: `marker tag ${s.marker} is also used by ${other.id} (${other.file}:${other.line})` });
    else markers.set(s.marker, s);
  }
  return { rules: { calendar, steps, files: files.map((f) => f.file) }, problems };
}

function checkMarkers(out: RuleFile): void {
  const seen = new Map<string, SweepStep>();
  for (const s of out.steps) {
    const other = seen.get(s.marker);
    if (other) out.problems.push({ file: s.file, line: s.line, message: `marker tag ${s.marker} is also used by ${other.id} (line ${other.line})` });
    else seen.set(s.marker, s);
  }
}

// ---------------------------------------------------------------------------------------------

interface ParsedRule {
  name: string;
  line: number;
  enabled: boolean;
  steps: SweepStep[];
}

function parseRule(r: Reader, node: Node): ParsedRule | undefined {
  const map = r.resolve(node);
  if (!isMap(map)) {
    r.problem(node, 'each rule must be a map with name, when and then (or steps)');
    return undefined;
  }
  const line = r.lineOf(map);
  const p = r.pairs(map, RULE_KEYS, 'rule key');
  const name = r.string(p.get('name'), 'name');
  if (name === undefined) {
    if (!p.get('name')) r.problemAt(line, 'a rule needs a name');
    return undefined;
  }
  if (!RULE_NAME.test(name)) {
    r.problem(p.get('name')!.value, `rule name ${JSON.stringify(name)} must be lowercase letters, digits, _ and - (up to 48)`);
    return undefined;
  }
  const enabled = p.get('enabled') ? r.boolean(p.get('enabled'), 'enabled') : true;
  if (enabled === false) return { name, line, enabled: false, steps: [] };
  const description = r.string(p.get('description'), 'description') ?? '';
  const whenPair = p.get('when');
  if (!whenPair) {
    r.problemAt(line, `rule "${name}" needs a \`when:\` with its conditions`);
    return undefined;
  }
  const conditions = parseConditions(r, whenPair, name);
  if (!conditions) return undefined;
  const { base, since } = conditions;
  const markerPair = p.get('marker');
  let marker: string | undefined;
  if (markerPair) {
    marker = r.string(markerPair, 'marker');
    if (marker !== undefined && !TAG.test(marker)) {
      r.problem(markerPair.value, `marker ${JSON.stringify(marker)} is not a tag (no spaces or commas)`);
      marker = undefined;
    }
  }
  const thenPair = p.get('then');
  const stepsPair = p.get('steps');
  if (thenPair && stepsPair) {
    r.problem(stepsPair.key, `rule "${name}" has both \`then:\` and \`steps:\`; use one`);
    return undefined;
  }
  if (!thenPair && !stepsPair) {
    r.problemAt(line, `rule "${name}" needs \`then:\` (what to do) or \`steps:\``);
    return undefined;
  }
  if (thenPair) {
    if (p.get('min_gap')) r.problem(p.get('min_gap')!.key, '`min_gap:` only applies to rules with `steps:`');
    const thenNode = r.resolve(thenPair.value);
    if (!isMap(thenNode)) {
      r.problem(thenPair.value ?? thenPair.key, '`then:` must be a map (template, status, tags, ...)');
      return undefined;
    }
    const action = parseAction(r, thenNode, r.pairs(thenNode, ACTION_KEYS, 'action key'), name);
    if (!action) return undefined;
    const m = marker ?? markerTag(name, null);
    return {
      name,
      line,
      enabled: true,
      steps: [{ id: name, rule: name, step: null, description, marker: m, requires: [], conditions: { ...base, noTags: unique([...base.noTags, m]) }, action, file: r.file, line }],
    };
  }
  const list = r.resolve(stepsPair!.value);
  if (!isSeq(list) || list.items.length === 0) {
    r.problem(stepsPair!.value ?? stepsPair!.key, '`steps:` must be a list of steps, each with at_least and what to do');
    return undefined;
  }
  let minGap: Duration | undefined;
  const gapPair = p.get('min_gap');
  if (gapPair) minGap = r.duration(gapPair, 'min_gap');
  const steps: SweepStep[] = [];
  const markers: string[] = [];
  list.items.forEach((item, i) => {
    const n = i + 1;
    const stepNode = r.resolve(item as Node);
    if (!isMap(stepNode)) {
      r.problem(item as Node, 'each step must be a map with at_least and what to do');
      return;
    }
    const sp = r.pairs(stepNode, STEP_KEYS, 'step key');
    const ages: AgeCondition[] = [];
    const atLeast = sp.get('at_least') ? r.duration(sp.get('at_least'), 'at_least') : undefined;
    const atMost = sp.get('at_most') ? r.duration(sp.get('at_most'), 'at_most') : undefined;
    if (atLeast || atMost) {
      if (!since) {
        r.problem(sp.get('at_least')?.key ?? sp.get('at_most')!.key, `step ${n} has an age but the rule's \`when:\` has no \`since:\` to measure it from`);
        return;
      }
      ages.push(ageCondition(since, atLeast, atMost));
    }
    if (n > 1 && minGap) ages.push(ageCondition('updated', minGap, undefined));
    const action = parseAction(r, stepNode, sp, `${name} step ${n}`);
    const m = marker ? `${marker}_${n}` : markerTag(name, n);
    markers.push(m);
    if (!action) return;
    steps.push({
      id: `${name}/${n}`,
      rule: name,
      step: n,
      description: r.string(sp.get('description'), 'description') ?? description,
      marker: m,
      requires: n > 1 ? [markers[n - 2]!] : [],
      conditions: { ...base, ages: [...base.ages, ...ages], noTags: unique([...base.noTags, m]) },
      action,
      file: r.file,
      line: r.lineOf(stepNode),
    });
  });
  // A later step's marker also rules out the earlier steps (a ticket never goes back a step).
  for (const s of steps) s.conditions.noTags = unique([...s.conditions.noTags, ...markers.slice(s.step!)]);
  return { name, line, enabled: true, steps: steps.length === list.items.length ? steps : [] };
}

function ageCondition(since: SinceRef, atLeast: Duration | undefined, atMost: Duration | undefined): AgeCondition {
  const parts = [atLeast ? `at least ${fmt(atLeast)}` : '', atMost ? `at most ${fmt(atMost)}` : ''].filter(Boolean);
  return { since, atLeast, atMost, text: `${parts.join(' and ')} since ${since}` };
}

function fmt(d: Duration): string {
  const word = d.unit.replace('_', ' ').replace(/s$/, '');
  return `${d.amount} ${word}${d.amount === 1 ? '' : 's'}`;
}

function parseConditions(r: Reader, pair: Pair, rule: string): { base: SweepConditions; since?: SinceRef } | undefined {
  const node = r.resolve(pair.value);
  if (!isMap(node)) {
    r.problem(pair.value ?? pair.key, `\`when:\` of rule "${rule}" must be a map of conditions`);
    return undefined;
  }
  const before = r.problems.length;
  const p = r.pairs(node, WHEN_KEYS, 'condition');
  const c: SweepConditions = { ages: [], tags: [], tagsAny: [], noTags: [] };
  if (p.get('status')) {
    const list = r.stringList(p.get('status'), 'status');
    if (list) {
      const bad = list.filter((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
      if (bad.length) r.problem(p.get('status')!.value, `status ${bad.map((b) => JSON.stringify(b)).join(', ')} is not one of ${TICKET_STATUSES.join(', ')}`);
      else c.status = list as TicketStatus[];
    }
  }
  let since: SinceRef | undefined;
  if (p.get('since')) {
    const s = r.string(p.get('since'), 'since');
    if (s !== undefined) {
      if ((SINCE_REFS as readonly string[]).includes(s)) since = s as SinceRef;
      else r.problem(p.get('since')!.value, `since ${JSON.stringify(s)} is not one of ${SINCE_REFS.join(', ')}`);
    }
  }
  const atLeast = p.get('at_least') ? r.duration(p.get('at_least'), 'at_least') : undefined;
  const atMost = p.get('at_most') ? r.duration(p.get('at_most'), 'at_most') : undefined;
  if ((p.get('at_least') || p.get('at_most')) && !p.get('since')) {
    r.problem((p.get('at_least') ?? p.get('at_most'))!.key, '`at_least:`/`at_most:` need `since:` (updated, status_change, solved, ...)');
  } else if (since && (atLeast || atMost)) c.ages.push(ageCondition(since, atLeast, atMost));
  if (p.get('age')) {
    const list = r.resolve(p.get('age')!.value);
    const items = isSeq(list) ? list.items : isMap(list) ? [list] : undefined;
    if (!items) r.problem(p.get('age')!.value ?? p.get('age')!.key, '`age:` must be a list of {since, at_least, at_most}');
    for (const item of items ?? []) {
      const m = r.resolve(item as Node);
      if (!isMap(m)) {
        r.problem(item as Node, 'each `age:` entry must be a map with since and at_least and/or at_most');
        continue;
      }
      const ap = r.pairs(m, ['since', 'at_least', 'at_most'], 'age key');
      const s = r.string(ap.get('since'), 'since');
      if (s === undefined || !(SINCE_REFS as readonly string[]).includes(s)) {
        r.problem(ap.get('since')?.value ?? m, `age needs since: one of ${SINCE_REFS.join(', ')}`);
        continue;
      }
      const l = ap.get('at_least') ? r.duration(ap.get('at_least'), 'at_least') : undefined;
      const mx = ap.get('at_most') ? r.duration(ap.get('at_most'), 'at_most') : undefined;
      if (!l && !mx) {
        r.problem(m, 'age needs at_least and/or at_most');
        continue;
      }
      c.ages.push(ageCondition(s as SinceRef, l, mx));
    }
  }
  for (const [key, field] of [['tags', 'tags'], ['tags_any', 'tagsAny'], ['no_tags', 'noTags']] as const) {
    if (!p.get(key)) continue;
    const list = r.stringList(p.get(key), key);
    if (!list) continue;
    const bad = list.filter((t) => !TAG.test(t));
    if (bad.length) r.problem(p.get(key)!.value, `${key}: ${JSON.stringify(bad[0])} is not a tag (no spaces or commas)`);
    else c[field] = list.map((t) => t.toLowerCase());
  }
  if (p.get('group')) {
    const raw = r.resolve(p.get('group')!.value);
    const values = isSeq(raw) ? raw.items.map((i) => r.scalar(i as Node)) : [r.scalar(raw as Node)];
    if (values.some((v) => typeof v !== 'string' && typeof v !== 'number')) r.problem(p.get('group')!.value, 'group must be a group name or id, or a list of them');
    else c.groups = values.map((v) => (typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : String(v).trim().toLowerCase()));
  }
  if (p.get('priority')) {
    const list = r.stringList(p.get('priority'), 'priority');
    if (list) {
      const bad = list.filter((x) => x !== 'none' && !(TICKET_PRIORITIES as readonly string[]).includes(x));
      if (bad.length) r.problem(p.get('priority')!.value, `priority ${JSON.stringify(bad[0])} is not one of ${TICKET_PRIORITIES.join(', ')}, none`);
      else c.priorities = list as Array<TicketPriority | 'none'>;
    }
  }
  if (p.get('channel')) {
    const list = r.stringList(p.get('channel'), 'channel');
    if (list) c.channels = list.map((x) => x.toLowerCase());
  }
  if (p.get('group_changed_since_public_reply')) {
    const b = r.boolean(p.get('group_changed_since_public_reply'), 'group_changed_since_public_reply');
    if (b !== undefined) c.groupChangedSincePublicReply = b;
  }
  return r.problems.length === before ? { base: c, since } : undefined;
}

function parseAction(r: Reader, node: YAMLMap, p: Map<string, Pair>, where: string): SweepAction | undefined {
  const before = r.problems.length;
  const action: SweepAction = { vars: {}, tags: [], removeTags: [] };
  const sources = (['template', 'reply', 'note'] as const).filter((k) => p.has(k));
  if (sources.length > 1) {
    r.problem(p.get(sources[1]!)!.key, `${where}: use one of template, reply or note, not ${sources.join(' and ')}`);
    return undefined;
  }
  if (p.get('template')) {
    const t = r.string(p.get('template'), 'template');
    if (t !== undefined && !TEMPLATE_NAME.test(t)) r.problem(p.get('template')!.value, `template ${JSON.stringify(t)} is not a template name`);
    else action.template = t;
  }
  for (const key of ['reply', 'note'] as const) {
    const pair = p.get(key);
    if (!pair) continue;
    const body = r.string(pair, key);
    if (body === undefined) continue;
    if (body.trim() === '') {
      r.problem(pair.value ?? pair.key, `${key}: the text is empty`);
      continue;
    }
    const valueNode = pair.value as Node;
    const start = r.lineOf(valueNode);
    // A block scalar (| or >) starts on the line after its indicator.
    const block = isScalar(valueNode) && (valueNode.type === 'BLOCK_LITERAL' || valueNode.type === 'BLOCK_FOLDED');
    action.inline = { body, line: block ? start + 1 : start, public: key === 'reply' };
  }
  if (p.get('public')) {
    const b = r.boolean(p.get('public'), 'public');
    if (b !== undefined) {
      if (action.inline) r.problem(p.get('public')!.key, '`public:` applies to a template; `reply:` is public and `note:` is internal');
      else action.public = b;
    }
  }
  if (p.get('vars')) {
    const v = r.resolve(p.get('vars')!.value);
    if (!isMap(v)) r.problem(p.get('vars')!.value ?? p.get('vars')!.key, 'vars must map names to values');
    else {
      for (const item of v.items) {
        const key = String(r.scalar(item.key as Node));
        const value = r.scalar(item.value as Node);
        if (!VAR_NAME.test(key)) r.problem(item.key as Node, `vars: "${key}" is not a variable name (lowercase, digits, _)`);
        else if (typeof value !== 'string' && typeof value !== 'number') r.problem((item.value as Node) ?? (item.key as Node), `vars.${key} must be text`);
        else action.vars[key] = String(value);
      }
    }
  }
  if (p.get('locale')) {
    const l = r.string(p.get('locale'), 'locale');
    if (l !== undefined && !LOCALE.test(l.toLowerCase())) r.problem(p.get('locale')!.value, `locale ${JSON.stringify(l)} is not a language tag such as en or es`);
    else if (l !== undefined) action.locale = l.toLowerCase();
  }
  if (p.get('status')) {
    const s = r.string(p.get('status'), 'status');
    if (s !== undefined && !(SETTABLE_STATUSES as readonly string[]).includes(s)) {
      r.problem(p.get('status')!.value, `status ${JSON.stringify(s)} is not one of ${SETTABLE_STATUSES.join(', ')}`);
    } else if (s !== undefined) action.status = s as TicketStatus;
  }
  for (const [key, field] of [['tags', 'tags'], ['remove_tags', 'removeTags']] as const) {
    if (!p.get(key)) continue;
    const list = r.stringList(p.get(key), key);
    if (!list) continue;
    const bad = list.filter((t) => !TAG.test(t));
    if (bad.length) r.problem(p.get(key)!.value, `${key}: ${JSON.stringify(bad[0])} is not a tag (no spaces or commas)`);
    else action[field] = list.map((t) => t.toLowerCase());
  }
  if (p.get('priority')) {
    const pr = r.string(p.get('priority'), 'priority');
    if (pr !== undefined && !(TICKET_PRIORITIES as readonly string[]).includes(pr)) r.problem(p.get('priority')!.value, `priority ${JSON.stringify(pr)} is not one of ${TICKET_PRIORITIES.join(', ')}`);
    else if (pr !== undefined) action.priority = pr as TicketPriority;
  }
  if (p.get('assignee')) {
    const a = r.scalar(p.get('assignee')!.value as Node);
    if (typeof a !== 'string' && typeof a !== 'number') r.problem(p.get('assignee')!.value ?? p.get('assignee')!.key, 'assignee must be me, none, an agent id or email');
    else action.assignee = String(a).trim();
  }
  if (r.problems.length > before) return undefined;
  const doesSomething =
    action.template !== undefined || action.inline !== undefined || action.status !== undefined || action.tags.length > 0 ||
    action.removeTags.length > 0 || action.priority !== undefined || action.assignee !== undefined;
  if (!doesSomething) {
    r.problemAt(r.lineOf(node), `${where} does nothing: give a template, reply or note, and/or status, tags, priority, assignee`);
    return undefined;
  }
  return action;
}

function parseCalendar(r: Reader, pair: Pair): BusinessCalendar | undefined {
  const node = r.resolve(pair.value);
  if (!isMap(node)) {
    r.problem(pair.value ?? pair.key, 'business_hours must be a map: timezone, days, hours');
    return undefined;
  }
  const before = r.problems.length;
  const p = r.pairs(node, CALENDAR_KEYS, 'business_hours key');
  const cal: BusinessCalendar = { ...DEFAULT_CALENDAR, days: [...DEFAULT_CALENDAR.days] };
  if (p.get('timezone')) {
    const z = r.string(p.get('timezone'), 'timezone');
    if (z !== undefined && !isTimeZone(z)) r.problem(p.get('timezone')!.value, `unknown time zone ${JSON.stringify(z)} (use an IANA name such as UTC or Europe/Paris)`);
    else if (z !== undefined) cal.timeZone = z;
  }
  if (p.get('days')) {
    const list = r.stringList(p.get('days'), 'days');
    if (list) {
      const idx = list.map((d) => WEEKDAYS.indexOf(d.toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number]));
      if (idx.some((i) => i < 0) || idx.length === 0) r.problem(p.get('days')!.value, `days must be a list of mon, tue, wed, thu, fri, sat, sun`);
      else cal.days = [...new Set(idx)].sort();
    }
  }
  if (p.get('hours')) {
    const h = r.string(p.get('hours'), 'hours');
    const m = h === undefined ? null : /^\s*(\S+)\s*-\s*(\S+)\s*$/.exec(h);
    const open = m ? parseClock(m[1]!) : undefined;
    const close = m ? parseClock(m[2]!) : undefined;
    if (h !== undefined && (open === undefined || close === undefined || close <= open)) {
      r.problem(p.get('hours')!.value, `hours ${JSON.stringify(h)} must be like "09:00-17:00" (opening before closing)`);
    } else if (open !== undefined && close !== undefined) {
      cal.openMinute = open;
      cal.closeMinute = close;
    }
  }
  return r.problems.length === before ? cal : undefined;
}

// ---------------------------------------------------------------------------------------------

/** Reads YAML nodes with line numbers; every complaint lands in `problems`. */
class Reader {
  constructor(
    private readonly doc: Document,
    readonly file: string,
    private readonly lineAt: (offset: number | undefined) => number,
    readonly problems: RuleProblem[],
  ) {}

  resolve(node: unknown): Node | null | undefined {
    let n = node as Node | null | undefined;
    for (let i = 0; i < 10 && n && isAlias(n); i++) n = n.resolve(this.doc) as Node | undefined;
    return n;
  }

  lineOf(node: unknown): number {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return this.lineAt(range ? range[0] : undefined);
  }

  problem(node: unknown, message: string): void {
    this.problems.push({ file: this.file, line: this.lineOf(node), message });
  }

  problemAt(line: number, message: string): void {
    this.problems.push({ file: this.file, line, message });
  }

  /** The pairs of a map by key (merge keys `<<` expanded), complaining about unknown keys. */
  pairs(map: YAMLMap, known: string[], what: string): Map<string, Pair> {
    const out = new Map<string, Pair>();
    const visit = (m: YAMLMap, depth: number) => {
      for (const pair of m.items) {
        const key = String(this.scalar(pair.key as Node));
        if (key === '<<' && depth < 5) {
          const target = this.resolve(pair.value);
          const targets = isSeq(target) ? target.items.map((i) => this.resolve(i)) : [target];
          for (const t of targets) if (isMap(t)) visit(t, depth + 1);
          continue;
        }
        if (!known.includes(key)) {
          const close = closestNames(key.replace(/-/g, '_').toLowerCase(), known, 1)[0];
          this.problem(pair.key, `unknown ${what} "${key}"${close ? `; did you mean ${close}?` : ` (known: ${known.join(', ')})`}`);
          continue;
        }
        if (depth === 0 || !out.has(key)) out.set(key, pair);
      }
    };
    visit(map, 0);
    return out;
  }

  scalar(node: Node | null | undefined): unknown {
    const n = this.resolve(node);
    if (n === null || n === undefined) return undefined;
    return isScalar(n) ? n.value : n.toJSON();
  }

  string(pair: Pair | undefined, key: string): string | undefined {
    if (!pair) return undefined;
    const v = this.scalar(pair.value as Node);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && key !== 'name') return String(v);
    this.problem(pair.value ?? pair.key, `${key} must be text`);
    return undefined;
  }

  boolean(pair: Pair | undefined, key: string): boolean | undefined {
    if (!pair) return undefined;
    const v = this.scalar(pair.value as Node);
    if (typeof v === 'boolean') return v;
    this.problem(pair.value ?? pair.key, `${key} must be true or false, got ${JSON.stringify(v)}`);
    return undefined;
  }

  stringList(pair: Pair | undefined, key: string): string[] | undefined {
    if (!pair) return undefined;
    const n = this.resolve(pair.value);
    const values = isSeq(n) ? n.items.map((i) => this.scalar(i as Node)) : [this.scalar(n)];
    if (values.length === 0 || values.some((v) => typeof v !== 'string')) {
      this.problem(pair.value ?? pair.key, `${key} must be a word or a list of words`);
      return undefined;
    }
    return (values as string[]).map((v) => v.trim());
  }

  duration(pair: Pair | undefined, key: string): Duration | undefined {
    if (!pair) return undefined;
    const raw = this.scalar(pair.value as Node);
    const d = typeof raw === 'string' ? parseDuration(raw) : undefined;
    if (!d) {
      this.problem(pair.value ?? pair.key, `${key} ${JSON.stringify(raw)} is not a duration such as "2 business_days", "4 business_hours", "36 hours" or "3 days"`);
      return undefined;
    }
    return d;
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
