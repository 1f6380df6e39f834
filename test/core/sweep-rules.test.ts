import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRuleProblem, markerTag, mergeRuleFiles, parseRuleFile } from '../../src/core/sweep-rules.js';
import { loadSweepRules, shippedSweepsDir } from '../../src/services/sweep.js';
import { ConfigError } from '../../src/core/errors.js';

const shippedFile = join(shippedSweepsDir(), 'default.yml');
const problems = (text: string) => parseRuleFile(text, 'r.yml').problems.map(formatRuleProblem);

describe('shipped rules', () => {
  const parsed = parseRuleFile(readFileSync(shippedFile, 'utf8'), shippedFile);

  it('parse without problems, one marker per rule and step', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.steps.map((s) => [s.id, s.marker])).toEqual([
      ['pending_reminder/1', 'sweep_pending_reminder_1'],
      ['pending_reminder/2', 'sweep_pending_reminder_2'],
      ['pending_reminder/3', 'sweep_pending_reminder_3'],
      ['solved_check_in', 'sweep_solved_check_in'],
      ['transfer_followup', 'sweep_transfer_followup'],
      ['transfer_nudge', 'sweep_transfer_nudge'],
      ['hold_nudge', 'sweep_hold_nudge'],
    ]);
  });

  it('encode the seeds: 2, 5, 7 business days pending; solved 1-3 days; 4 business hours after a transfer; hold 5 days', () => {
    const byId = new Map(parsed.steps.map((s) => [s.id, s]));
    const ages = (id: string) => byId.get(id)!.conditions.ages.map((a) => a.text);
    expect(ages('pending_reminder/1')).toEqual(['at least 2 business days since status_change']);
    expect(ages('pending_reminder/2')).toEqual(['at least 5 business days since status_change', 'at least 1 business day since updated']);
    expect(ages('pending_reminder/3')).toEqual(['at least 7 business days since status_change', 'at least 1 business day since updated']);
    expect(byId.get('pending_reminder/3')!.action).toMatchObject({ template: 'followup-closing-no-answer', status: 'solved' });
    expect(byId.get('pending_reminder/2')!.requires).toEqual(['sweep_pending_reminder_1']);
    expect(ages('solved_check_in')).toEqual(['at least 1 day and at most 3 days since solved']);
    expect(ages('transfer_followup')).toEqual(['at least 4 business hours since transfer']);
    expect(byId.get('transfer_followup')!.conditions.groupChangedSincePublicReply).toBe(true);
    expect(byId.get('transfer_nudge')!.conditions.tags).toEqual(['sweep_transfer_followup']);
    expect(byId.get('transfer_nudge')!.action.inline).toMatchObject({ public: false });
    expect(ages('hold_nudge')).toEqual(['at least 5 days since status_change']);
    expect(byId.get('hold_nudge')!.action.inline?.public).toBe(false);
  });

  it('render with the shipped templates', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deskops-rules-'));
    try {
      const loaded = await loadSweepRules({ home });
      expect(loaded.rules.steps).toHaveLength(7);
      expect([...loaded.templates.keys()]).toHaveLength(7);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('rule files: problems with file:line', () => {
  it('YAML syntax', () => {
    expect(problems('rules:\n  - name: a\n    name: b\n')).toEqual(['r.yml:3: YAML: Map keys must be unique']);
    expect(problems('rules:\n  - name: a\n    when: { status: pending\n')[0]).toMatch(/^r\.yml:\d: YAML: Flow map/);
  });

  it('unknown keys, bad values and durations, each on its line', () => {
    const text = [
      'rules:', //                       1
      '  - name: a', //                  2
      '    when:', //                    3
      '      status: pendng', //         4
      '      since: status_change', //   5
      '      at_least: 2 weeks-ish', //  6
      '    then:', //                    7
      '      template: followup-check-in',
      '  - name: b', //                  9
      '    when: { status: open }', //   10
      '    then:', //                    11
      '      templat: x', //             12
    ].join('\n');
    expect(problems(text)).toEqual([
      'r.yml:4: status "pendng" is not one of new, open, pending, hold, solved, closed',
      'r.yml:6: at_least "2 weeks-ish" is not a duration such as "2 business_days", "4 business_hours", "36 hours" or "3 days"',
      'r.yml:12: unknown action key "templat"; did you mean template?',
      'r.yml:12: b does nothing: give a template, reply or note, and/or status, tags, priority, assignee',
    ]);
  });

  it('structure: no when, both then and steps, ages without since, two bodies, duplicate names', () => {
    expect(problems('rules:\n  - name: a\n    then: { status: open }\n')).toEqual(['r.yml:2: rule "a" needs a `when:` with its conditions']);
    expect(problems('rules:\n  - name: a\n    when: { status: open }\n    then: { status: open }\n    steps: []\n')).toEqual([
      'r.yml:5: rule "a" has both `then:` and `steps:`; use one',
    ]);
    expect(problems('rules:\n  - name: a\n    when: { status: open }\n    steps:\n      - at_least: 2 days\n        status: pending\n')).toEqual([
      "r.yml:5: step 1 has an age but the rule's `when:` has no `since:` to measure it from",
    ]);
    expect(problems('rules:\n  - name: a\n    when: { status: open }\n    then:\n      template: followup-check-in\n      note: hi\n')).toEqual([
      'r.yml:6: a: use one of template, reply or note, not template and note',
    ]);
    expect(problems('rules:\n  - name: a\n    when: { status: open }\n    then: { status: pending }\n  - name: a\n    when: { status: open }\n    then: { status: pending }\n')).toEqual([
      'r.yml:5: rule "a" is defined twice in this file (first on line 2)',
    ]);
    expect(problems('rules:\n  - name: A b\n    when: { status: open }\n    then: { status: pending }\n')[0]).toMatch(/^r\.yml:2: rule name "A b"/);
  });

  it('business hours: zone, days and hours checked', () => {
    expect(problems('business_hours: { timezone: Mars/Olympus, days: [mon, funday], hours: "17:00-09:00" }\nrules: []\n')).toEqual([
      'r.yml:1: unknown time zone "Mars/Olympus" (use an IANA name such as UTC or Europe/Paris)',
      'r.yml:1: days must be a list of mon, tue, wed, thu, fri, sat, sun',
      'r.yml:1: hours "17:00-09:00" must be like "09:00-17:00" (opening before closing)',
    ]);
    const ok = parseRuleFile('business_hours:\n  timezone: Europe/Paris\n  days: [mon, tue, wed, thu, fri, sat]\n  hours: "08:30-18:00"\nrules: []\n', 'r.yml');
    expect(ok.calendar?.value).toEqual({ timeZone: 'Europe/Paris', days: [1, 2, 3, 4, 5, 6], openMinute: 510, closeMinute: 1080 });
  });

  it('a later file replaces a rule by name or turns it off; markers must not collide', () => {
    const a = parseRuleFile('rules:\n  - name: x\n    when: { status: open }\n    then: { status: pending }\n  - name: y\n    when: { status: hold }\n    then: { status: open }\n', 'a.yml');
    const b = parseRuleFile('rules:\n  - name: x\n    when: { status: new }\n    then: { status: open }\n  - { name: y, enabled: false }\n', 'b.yml');
    const { rules, problems: p } = mergeRuleFiles([a, b]);
    expect(p).toEqual([]);
    expect(rules.steps.map((s) => [s.id, s.file, s.conditions.status])).toEqual([['x', 'b.yml', ['new']]]);
    const c = parseRuleFile('rules:\n  - name: z\n    marker: sweep_x\n    when: { status: new }\n    then: { status: open }\n', 'c.yml');
    expect(mergeRuleFiles([a, c]).problems.map(formatRuleProblem)).toEqual(['c.yml:2: marker tag sweep_x is also used by x (a.yml:2)']);
    expect(markerTag('pending-reminder', 2)).toBe('sweep_pending_reminder_2');
  });
});

describe('loadSweepRules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskops-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = async (text: string) => {
    const file = join(dir, `r${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    try {
      await loadSweepRules({ home: dir, rulesFile: file });
      return 'ok';
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message.replace(file, 'FILE');
    }
  };

  it('a template that does not exist is a one-line error at the rule', async () => {
    expect(await load('rules:\n  - name: a\n    when: { status: open }\n    then:\n      template: followup-chek-in\n')).toBe(
      'FILE:2: a: template "followup-chek-in" not found; did you mean followup-check-in?',
    );
  });

  it('an inline body that does not compile points at its line', async () => {
    const msg = await load('rules:\n  - name: a\n    when: { status: open }\n    then:\n      note: |\n        Hello {{ ticket.requester.first_name\n');
    expect(msg).toMatch(/^FILE:6: a: /);
  });

  it('an inline body using a variable nobody gives fails at load time', async () => {
    const msg = await load('rules:\n  - name: a\n    when: { status: open }\n    then:\n      reply: "Hi {{ vars.when }}"\n');
    expect(msg).toMatch(/^FILE:5: a: template "sweep-a" needs vars\.when/);
    expect(await load('rules:\n  - name: a\n    when: { status: open }\n    then:\n      reply: "Hi {{ vars.when }}"\n      vars: { when: today }\n')).toBe('ok');
  });

  it('the error is one line', async () => {
    const msg = await load('rules:\n  - name: a\n    when: { status: [open, shut] }\n    then: { status: pending }\n');
    expect(msg).toBe('FILE:3: status "shut" is not one of new, open, pending, hold, solved, closed');
    expect(msg).not.toContain('\n');
  });
});
