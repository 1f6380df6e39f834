/**
 * Reply templates: parsing and validation with file:line, rendering with strict placeholders,
 * the locked-down Liquid engine, lint, locale fallback, user overrides, and suggestions.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCALE,
  TemplateRenderError,
  buildRenderContext,
  closestNames,
  effectiveTemplates,
  lintLibrary,
  lintTemplate,
  parseTemplate,
  parseVars,
  renderTemplate,
  resolveTemplate,
  sampleRenderContext,
  templateVariables,
  type ReplyTemplate,
} from '../../src/core/templates.js';
import { readCustomerSignals, suggestTemplates, type SuggestCandidate } from '../../src/core/reply-suggest.js';
import { findTemplate, lintTemplates, loadLibrary } from '../../src/services/replies.js';
import { UsageError, NotFoundError } from '../../src/core/errors.js';
import type { Comment, Ticket, User } from '../../src/core/model.js';

function file(front: string, body: string): string {
  return `---\n${front.trim()}\n---\n${body}`;
}

function mustParse(text: string, path = '/t/sample.md', source: 'shipped' | 'user' = 'user'): ReplyTemplate {
  const r = parseTemplate(text, path, source);
  expect(r.problems).toEqual([]);
  return r.template!;
}

const SAMPLE = file(
  `
name: sample
category: apology
description: A sample
set:
  status: pending
  priority: high
  tags: [apologised, sample]
vars:
  order: the order number
`,
  'Hi {{ ticket.requester.first_name }},\n\nSorry about order {{ vars.order }} ("{{ ticket.title }}").\n\n\n\n{{ current_user.signature }}\n',
);

describe('parseTemplate', () => {
  it('reads front matter with defaults and the body', () => {
    const t = mustParse(SAMPLE);
    expect(t).toMatchObject({
      name: 'sample',
      category: 'apology',
      description: 'A sample',
      public: true,
      locale: DEFAULT_LOCALE,
      set: { status: 'pending', priority: 'high', tags: ['apologised', 'sample'] },
      vars: { order: 'the order number' },
      bodyLine: 12,
      source: 'user',
    });
    expect(t.body.startsWith('Hi {{ ticket.requester.first_name }}')).toBe(true);
  });

  it('reports each front matter problem on its line', () => {
    const text = file(
      `
name: Bad Name
category: apologies
description: ok
public: maybe
colour: blue
set:
  status: new
  priority: extreme
  tags: two words
`,
      'Hi\n',
    );
    const { template, problems } = parseTemplate(text, '/t/bad.md');
    expect(template).toBeUndefined();
    expect(problems.map((p) => `${p.path}:${p.line}`)).toEqual([
      '/t/bad.md:6',
      '/t/bad.md:2',
      '/t/bad.md:3',
      '/t/bad.md:5',
      '/t/bad.md:8',
      '/t/bad.md:9',
      '/t/bad.md:10',
    ]);
    expect(problems.find((p) => p.line === 3)!.message).toContain('unknown category "apologies"');
    expect(problems.find((p) => p.line === 6)!.message).toContain('unknown front matter key "colour"');
    expect(problems.find((p) => p.line === 8)!.message).toContain('set.status "new"');
  });

  it('needs front matter, a closing line, required keys and a body', () => {
    expect(parseTemplate('Hi there', '/t/a.md').problems).toEqual([
      { path: '/t/a.md', line: 1, message: expect.stringContaining('missing front matter') },
    ]);
    expect(parseTemplate('---\nname: a\n', '/t/a.md').problems[0]!.message).toContain('not closed');
    const missing = parseTemplate('---\nname: a\n---\n\n', '/t/a.md').problems.map((p) => p.message);
    expect(missing).toEqual(
      expect.arrayContaining([expect.stringContaining('needs a category'), expect.stringContaining('needs a description'), 'the template has no body']),
    );
  });

  it('reports YAML syntax errors and duplicate keys with the file line', () => {
    const yamlError = parseTemplate('---\nname: a\ncategory: [apology\ndescription: x\n---\nHi\n', '/t/y.md');
    expect(yamlError.template).toBeUndefined();
    expect(yamlError.problems[0]!.message).toMatch(/^front matter:/);
    expect(yamlError.problems[0]!.line).toBeGreaterThanOrEqual(3);
    const quote = parseTemplate('---\nname: a\ncategory: apology\ndescription: "x\n---\nHi\n', '/t/q.md');
    expect(quote.problems).toEqual([{ path: '/t/q.md', line: 4, message: 'front matter: Missing closing "quote' }]);
    const dup = parseTemplate('---\nname: a\ncategory: apology\nname: b\ndescription: x\n---\nHi\n', '/t/d.md');
    expect(dup.problems).toEqual([{ path: '/t/d.md', line: 4, message: expect.stringMatching(/front matter:.*unique|front matter:.*duplicate/i) }]);
  });

  it('reports Liquid syntax errors and unknown filters on the file line', () => {
    const front = 'name: a\ncategory: empathy\ndescription: x';
    const notClosed = parseTemplate(file(front, 'Hi\n\n{% if ticket.id %}\nyes\n'), '/t/l.md');
    expect(notClosed.problems).toEqual([{ path: '/t/l.md', line: 8, message: expect.stringContaining('not closed') }]);
    const filter = parseTemplate(file(front, 'Hi\n{{ ticket.title | shout }}\n'), '/t/f.md');
    expect(filter.problems).toEqual([{ path: '/t/f.md', line: 7, message: expect.stringContaining('undefined filter: shout') }]);
  });
});

describe('the Liquid sandbox', () => {
  const front = 'name: a\ncategory: empathy\ndescription: x';
  for (const tag of [
    "{% include '/etc/passwd' %}",
    "{% include '../package.json' %}",
    "{% render '/etc/passwd' %}",
    "{% render '../../package.json' %}",
    "{% layout '/etc/passwd' %}",
    '{% include ticket.title %}',
  ]) {
    it(`refuses ${tag}`, () => {
      const r = parseTemplate(file(front, `Hi\n${tag}\n`), '/t/evil.md');
      expect(r.template).toBeUndefined();
      expect(r.problems).toEqual([{ path: '/t/evil.md', line: 7, message: expect.stringMatching(/is not allowed/) }]);
    });
  }

  it('bounds what a capture nested into itself can grow to, and the whole text', () => {
    const doubling = `{% capture a %}xxxxxxxxxxxxxxxx{% endcapture %}${'{% capture a %}{{ a }}{{ a }}{% endcapture %}'.repeat(40)}{{ a }}`;
    const t = mustParse(file(front, doubling));
    const started = process.memoryUsage().rss;
    expect(() => renderTemplate(t, sampleRenderContext())).toThrow(/grew past 1,000,000 characters/);
    // 2^40 x 16 characters would be 16 TB; the bound stops it near a megabyte (allow plenty).
    expect(process.memoryUsage().rss - started).toBeLessThan(200 * 1024 * 1024);
    const long = mustParse(file(front, `{% for i in (1..300) %}${'y'.repeat(4000)}{% endfor %}`));
    expect(() => renderTemplate(long, sampleRenderContext())).toThrow(/rendered more than 1,000,000 characters/);
  });

  it('does not reach prototype properties', () => {
    const t = mustParse(file(front, '{{ ticket.constructor }}'));
    expect(() => renderTemplate(t, sampleRenderContext())).toThrow(TemplateRenderError);
  });
});

describe('renderTemplate', () => {
  const me: User = { id: 7, name: 'Sam Ortiz', email: 'sam@example.com', role: 'agent', organization_id: null, signature: 'Sam\nSupport' };
  const requester: User = { id: 5, name: 'Dana Whitfield', email: 'dana@example.com', role: 'end-user', organization_id: null };
  const ticket = {
    id: 42,
    subject: 'Charged twice \u001b[31mnow\u001b[0m',
    description: 'x',
    status: 'open',
    priority: 'high',
    type: null,
    requester_id: 5,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: ['billing'],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-02T00:00:00Z',
  } as Ticket;
  const context = buildRenderContext({ ticket, requester, me });

  it('fills Zendesk placeholders and vars, folds blank lines, strips control characters', () => {
    const out = renderTemplate(mustParse(SAMPLE), context, { order: '10442' });
    expect(out).toBe('Hi Dana,\n\nSorry about order 10442 ("Charged twice [31mnow[0m").\n\nSam\nSupport');
    expect(out).not.toContain('\u001b');
  });

  it('names the template and the variable when a var is missing', () => {
    let err: unknown;
    try {
      renderTemplate(mustParse(SAMPLE), context, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).message).toContain('template "sample" needs vars.order');
    expect((err as TemplateRenderError).message).toContain('(/t/sample.md:14)');
    expect((err as TemplateRenderError).hint).toContain('--var order=');
    expect((err as TemplateRenderError).variable).toBe('vars.order');
  });

  it('names every missing var in one run, not one per run; an optional one guarded by if is not asked for', () => {
    const tpl = mustParse(
      ['---', 'name: handoff', 'category: escalation', 'description: a handoff note', 'vars:', '  tried: what was tried', '  need: what they need', '  promised: what they were told (optional)', '---',
        'Tried: {{ vars.tried }}', 'Need: {{ vars.need }}', '{% if vars.promised %}Told: {{ vars.promised }}{% endif %}'].join('\n'),
      '/t/handoff.md',
    );
    let err: unknown;
    try {
      renderTemplate(tpl, context, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).message).toBe('template "handoff" needs vars.tried (what was tried), vars.need (what they need) (/t/handoff.md)');
    expect((err as TemplateRenderError).hint).toBe('give them with --var tried=VALUE --var need=VALUE');
    expect(() => renderTemplate(tpl, context, { tried: 'a restart', need: 'a refund' })).not.toThrow();
  });

  it('fails on a record the ticket lacks, but optional parts can be guarded', () => {
    const org = mustParse(file('name: a\ncategory: empathy\ndescription: x', 'Hi {{ ticket.organization.name }}'));
    expect(() => renderTemplate(org, context)).toThrow(/ticket.organization does not resolve \(ticket #42 has no organization\)/);
    const guarded = mustParse(
      file('name: a\ncategory: empathy\ndescription: x\nvars:\n  when: when', 'Hi{% if ticket.organization %} {{ ticket.organization.name }}{% endif %}, {{ vars.when | default: "today" }}'),
    );
    expect(renderTemplate(guarded, context)).toBe('Hi, today');
  });

  it('falls back to the agent name without a signature, and refuses an empty result', () => {
    const ctx = buildRenderContext({ ticket, requester, me: { ...me, signature: null } });
    expect(ctx.current_user).toMatchObject({ first_name: 'Sam', last_name: 'Ortiz', signature: 'Sam Ortiz' });
    const empty = mustParse(file('name: a\ncategory: empathy\ndescription: x', '{% if false %}x{% endif %}'));
    expect(() => renderTemplate(empty, ctx)).toThrow(/rendered an empty reply/);
  });

  it('lists the placeholders a template uses', () => {
    expect(templateVariables(mustParse(SAMPLE))).toEqual([
      'current_user.signature',
      'ticket.requester.first_name',
      'ticket.title',
      'vars.order',
    ]);
  });
});

describe('lint', () => {
  it('flags unknown variables with a suggestion, undeclared vars and a mismatched file name', () => {
    const t = mustParse(
      file('name: lint-me\ncategory: empathy\ndescription: x', 'Hi {{ ticket.requester.frist_name }}\n{{ vars.order }}\n{{ customer.name }}'),
      '/t/other-name.md',
    );
    const problems = lintTemplate(t);
    expect(problems).toEqual([
      { path: '/t/other-name.md', line: 1, message: expect.stringContaining('file name should be lint-me.md') },
      { path: '/t/other-name.md', line: 6, message: 'unknown variable {{ ticket.requester.frist_name }}; did you mean ticket.requester.first_name?' },
      { path: '/t/other-name.md', line: 7, message: '{{ vars.order }} is not declared under vars: in the front matter' },
      { path: '/t/other-name.md', line: 8, message: expect.stringContaining('unknown variable {{ customer.name }}') },
    ]);
  });

  it('passes a clean template, and finds duplicates and translations without English', () => {
    const en = mustParse(SAMPLE);
    expect(lintTemplate(en)).toEqual([]);
    const es = mustParse(SAMPLE.replace('category: apology', 'category: apology\nlocale: es'), '/t/sample.es.md');
    const lonely = mustParse(SAMPLE.replace('name: sample', 'name: lonely').replace('category: apology', 'category: apology\nlocale: fr'), '/t/lonely.fr.md');
    const dup = { ...en, path: '/t/copy.md' };
    const problems = lintLibrary([en, es, lonely, dup]);
    expect(problems).toEqual([
      { path: '/t/copy.md', line: 1, message: 'template "sample" (en) is also defined in /t/sample.md' },
      { path: '/t/lonely.fr.md', line: 1, message: 'no English template "lonely" to fall back to for other locales' },
    ]);
  });
});

describe('library: locale fallback and user overrides', () => {
  const root = mkdtempSync(join(tmpdir(), 'deskops-tpl-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const shipped = join(root, 'shipped');
  const home = join(root, 'home');
  mkdirSync(shipped);
  mkdirSync(join(home, 'templates'), { recursive: true });
  const tpl = (name: string, body: string, extra = '') => file(`name: ${name}\ncategory: apology\ndescription: ${name}${extra}`, body);
  writeFileSync(join(shipped, 'delay.md'), tpl('delay', 'Sorry for the wait.'));
  writeFileSync(join(shipped, 'delay.es.md'), tpl('delay', 'Perdón por la espera.', '\nlocale: es'));
  writeFileSync(join(shipped, 'refund.md'), tpl('refund', 'Refunded.'));
  writeFileSync(join(shipped, 'README.md'), '# not a template');
  writeFileSync(join(home, 'templates', 'refund.md'), tpl('refund', 'Refunded, by us.'));
  writeFileSync(join(home, 'templates', 'broken.md'), 'no front matter');

  it('prefers the exact locale, then the language, then English', async () => {
    const lib = await loadLibrary({ home, shippedDir: shipped });
    expect(findTemplate(lib, 'delay', 'es').body.trim()).toBe('Perdón por la espera.');
    expect(findTemplate(lib, 'delay', 'es-mx').locale).toBe('es');
    expect(findTemplate(lib, 'delay', 'fr').locale).toBe('en');
    expect(findTemplate(lib, 'refund', 'es').body.trim()).toBe('Refunded, by us.');
    expect(resolveTemplate(lib.templates, 'nope')).toBeUndefined();
  });

  it('lets a user template replace the shipped one by name and reports broken files', async () => {
    const lib = await loadLibrary({ home, shippedDir: shipped });
    const refund = lib.templates.filter((t) => t.name === 'refund');
    expect(refund).toHaveLength(1);
    expect(refund[0]!.source).toBe('user');
    expect(lib.all.filter((t) => t.name === 'refund')).toHaveLength(2);
    expect(lib.problems).toEqual([{ path: join(home, 'templates', 'broken.md'), line: 1, message: expect.stringContaining('missing front matter') }]);
    expect(effectiveTemplates(lib.all.filter((t) => t.source === 'shipped'), []).map((t) => `${t.name}/${t.locale}/${t.source}`)).toEqual([
      'delay/en/shipped',
      'delay/es/shipped',
      'refund/en/shipped',
    ]);
  });

  it('says which names are close when a template is not found', async () => {
    const lib = await loadLibrary({ home, shippedDir: shipped });
    expect(() => findTemplate(lib, 'dealy')).toThrow(NotFoundError);
    expect(() => findTemplate(lib, 'dealy')).toThrow('template "dealy" not found; did you mean delay?');
    expect(closestNames('apology-dealy', ['apology-delay', 'apology-our-fault', 'survey-nps'])).toEqual(['apology-delay']);
    expect(closestNames('csat', ['survey-csat', 'survey-ces'])).toEqual(['survey-csat']);
  });

  it('lints all templates by default and named paths on request', async () => {
    const all = await lintTemplates({ home, shippedDir: shipped });
    expect(all.files).toBe(5);
    expect(all.problems.map((p) => `${p.path}:${p.line}`)).toEqual([`${join(home, 'templates', 'broken.md')}:1`]);
    const one = await lintTemplates({ home, shippedDir: shipped }, [join(shipped, 'delay.es.md')]);
    expect(one).toEqual({ files: 1, problems: [] });
  });
});

describe('parseVars', () => {
  it('takes key=value pairs, values may hold = and commas', () => {
    expect(parseVars(['order=10442', 'note=a=b, c', 'empty='])).toEqual({ order: '10442', note: 'a=b, c', empty: '' });
  });
  it('refuses anything else with a UsageError', () => {
    expect(() => parseVars(['order'])).toThrow(UsageError);
    expect(() => parseVars(['Order=1'])).toThrow(/key=value/);
    expect(() => parseVars(['=1'])).toThrow(UsageError);
  });
});

describe('suggestTemplates', () => {
  const NOW = new Date('2025-03-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
  const names: SuggestCandidate[] = [
    ['empathy-validate-frustration', 'empathy'],
    ['empathy-cancel-request', 'empathy'],
    ['apology-our-fault', 'apology'],
    ['apology-not-our-fault', 'apology'],
    ['apology-delay', 'apology'],
    ['apology-billing-error', 'apology'],
    ['apology-repeat-contact', 'apology'],
    ['ownership-taking-over', 'ownership'],
    ['escalation-notice', 'escalation'],
    ['resolution-confirmation', 'resolution'],
    ['followup-after-transfer', 'follow-up'],
    ['followup-pending-reminder-1', 'follow-up'],
    ['followup-pending-reminder-2', 'follow-up'],
    ['followup-closing-no-answer', 'follow-up'],
    ['followup-check-in', 'follow-up'],
    ['survey-csat', 'survey'],
    ['survey-ces', 'survey'],
    ['survey-nps', 'survey'],
  ].map(([name, category]) => ({ name, category }) as SuggestCandidate);

  function ticket(over: Partial<Ticket> = {}): Ticket {
    return {
      id: 1,
      subject: 'Order 10442',
      description: '',
      status: 'open',
      priority: 'normal',
      type: null,
      requester_id: 5,
      assignee_id: 7,
      group_id: 1,
      organization_id: null,
      tags: [],
      custom_fields: [],
      via: { channel: 'email' },
      created_at: hoursAgo(100),
      updated_at: hoursAgo(1),
      ...over,
    };
  }
  let nextId = 1;
  const customer = (body: string, h: number): Comment => ({ id: nextId++, type: 'Comment', author_id: 5, body, public: true, created_at: hoursAgo(h) });
  const agent = (body: string, h: number, isPublic = true): Comment => ({ id: nextId++, type: 'Comment', author_id: 7, body, public: isPublic, created_at: hoursAgo(h) });
  const top = (t: Ticket, comments: Comment[], extra: Partial<Parameters<typeof suggestTemplates>[2]> = {}) =>
    suggestTemplates(t, comments, { now: NOW, templates: names, ...extra });

  it('puts empathy and a repeat-contact apology first for an angry third contact', () => {
    const s = top(ticket(), [
      customer('Where is my order?', 50),
      agent('Looking into it.', 40),
      customer('This is the THIRD time I am writing!!! UNACCEPTABLE. I want a refund or I will cancel.', 2),
    ]);
    expect(s.slice(0, 2).map((x) => x.name).sort()).toEqual(['apology-repeat-contact', 'empathy-validate-frustration']);
    const empathy = s.find((x) => x.name === 'empathy-validate-frustration')!;
    expect(empathy.reasons.join(' | ')).toMatch(/capitals/);
    expect(empathy.reasons.join(' | ')).toMatch(/exclamation/);
    expect(empathy.reasons.join(' | ')).toMatch(/threatens to cancel/);
    expect(s.find((x) => x.name === 'apology-repeat-contact')!.reasons[0]).toContain('THIRD time');
    expect(s.every((x, i) => i === 0 || s[i - 1]!.score >= x.score)).toBe(true);
  });

  it('reads a calm message as calm', () => {
    const s = top(ticket(), [customer('Hi, could you tell me how to export my invoices? Thanks', 1)]);
    expect(s.map((x) => x.name)).not.toContain('empathy-validate-frustration');
    expect(readCustomerSignals('Please send the VAT invoice as a PDF.')).toMatchObject({ shouting: false, exclamations: false, strongWords: [] });
  });

  it('suggests a delay apology when the customer has waited long for an answer', () => {
    const s = top(ticket(), [customer('My parcel is lost.', 60), agent('Checking with the courier.', 55), customer('Any news?', 30)]);
    expect(s[0]!.name).toBe('apology-delay');
    expect(s[0]!.reasons.join(' ')).toMatch(/waited 30h since their last message/);
    // answered since: no delay apology for the wait
    const answered = top(ticket(), [customer('My parcel is lost.', 60), agent('Found it.', 1)]);
    expect(answered.map((x) => x.name)).not.toContain('apology-delay');
  });

  it('suggests the transfer follow-up for a transferred ticket (tag or group stations)', () => {
    expect(top(ticket({ tags: ['transferred'] }), [])[0]!.name).toBe('followup-after-transfer');
    const metrics = { group_stations: 2 } as Parameters<typeof suggestTemplates>[2]['metrics'];
    const s = top(ticket(), [], { metrics });
    expect(s[0]).toMatchObject({ name: 'followup-after-transfer', reasons: ['moved between 2 groups'] });
    expect(top(ticket({ tags: ['transferred', 'transfer_followed_up'] }), []).map((x) => x.name)).not.toContain('followup-after-transfer');
  });

  it('suggests a check-in and surveys once solved, unless already done', () => {
    const s = top(ticket({ status: 'solved' }), [customer('Thanks, that worked!', 30)]);
    expect(s.map((x) => x.name)).toEqual(['followup-check-in', 'survey-csat', 'survey-ces', 'survey-nps']);
    const done = top(ticket({ status: 'solved', tags: ['checked_in', 'survey_csat_sent'] }), []);
    expect(done).toEqual([]);
  });

  it('walks pending tickets through reminder 1, reminder 2, then the closing note', () => {
    const thread = [customer('Help', 200), agent('Can you send a photo?', 72)];
    expect(top(ticket({ status: 'pending' }), thread)[0]).toMatchObject({ name: 'followup-pending-reminder-1', reasons: ['pending: waiting on the customer (last reply 3d ago)'] });
    expect(top(ticket({ status: 'pending', tags: ['pending_reminder_1'] }), thread)[0]!.name).toBe('followup-pending-reminder-2');
    expect(top(ticket({ status: 'pending', tags: ['pending_reminder_1', 'pending_reminder_2'] }), thread)[0]!.name).toBe('followup-closing-no-answer');
  });

  it('suggests nothing for a closed ticket, and falls back to a category for a library without the name', () => {
    expect(top(ticket({ status: 'closed' }), [customer('UNACCEPTABLE!!!', 1)])).toEqual([]);
    const custom: SuggestCandidate[] = [
      { name: 'my-sorry', category: 'apology' },
      { name: 'my-reminder', category: 'follow-up' },
    ];
    const s = suggestTemplates(ticket(), [customer('This is the third time I ask.', 1)], { now: NOW, templates: custom });
    expect(s.map((x) => x.name)).toEqual(['my-sorry']);
    expect(s[0]!.score).toBe(3);
  });

  it('treats anyone who is not an agent as the customer when agent ids are given', () => {
    const cc: Comment = { id: 99, type: 'Comment', author_id: 55, body: 'This is ridiculous!!!', public: true, created_at: hoursAgo(1) };
    expect(top(ticket(), [cc]).map((x) => x.name)).not.toContain('empathy-validate-frustration');
    expect(top(ticket(), [cc], { agentIds: new Set([7]) })[0]!.name).toBe('empathy-validate-frustration');
  });

  it('suggests the billing apology for a double charge', () => {
    const s = top(ticket(), [customer('I was charged twice for order 10442, please refund the extra charge.', 1)]);
    expect(s[0]).toMatchObject({ name: 'apology-billing-error' });
  });
});
