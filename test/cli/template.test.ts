/**
 * The template commands end to end through main(): the shipped library, user templates in a
 * temp DESKOPS_HOME, lint with file:line and exit codes, scaffolding without a terminal.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(() => {
  ({ home, cleanup } = tempHome());
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

interface ListedTemplate {
  name: string;
  category: string;
  description: string;
  source: string;
  locale: string;
}

describe('template list', () => {
  it('lists at least 20 shipped templates as JSON, with empathy, apology and survey ones', async () => {
    const r = await runCli(['template', 'list', '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as ListedTemplate[];
    expect(items.length).toBeGreaterThanOrEqual(20);
    for (const t of items) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'category', 'description', 'source', 'locale']));
      expect(t.source).toBe('shipped');
      expect(t.description.length).toBeGreaterThan(10);
    }
    const categories = new Set(items.map((t) => t.category));
    for (const c of ['empathy', 'apology', 'ownership', 'resolution', 'escalation', 'follow-up', 'survey']) expect(categories).toContain(c);
    const names = items.map((t) => t.name);
    for (const n of ['survey-csat', 'survey-nps', 'survey-ces', 'apology-repeat-contact', 'followup-after-transfer', 'followup-pending-reminder-2']) {
      expect(names).toContain(n);
    }
    // a translation next to its English template
    expect(items.filter((t) => t.name === 'apology-delay').map((t) => t.locale).sort()).toEqual(['en', 'es']);
  });

  it('filters by category and prints a plain table when piped', async () => {
    const r = await runCli(['template', 'list', '--category', 'survey'], { env });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header!.split('\t')).toEqual(['name', 'category', 'locale', 'source', 'kind', 'description']);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row.split('\t')[1]).toBe('survey');
    const bad = await runCli(['template', 'list', '--category', 'nope'], { env });
    expect(bad.code).toBe(2);
  });
});

describe('template show', () => {
  it('prints the front matter and body, and the English one for a missing translation', async () => {
    const r = await runCli(['template', 'show', 'survey-ces', '--locale', 'fr'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^---\nname: survey-ces\ncategory: survey\n/);
    expect(r.stdout).toContain('The company made it easy to handle my issue.');
    expect(r.stdout).toContain('number from 1 to 7');
    expect(r.stderr).toContain('no fr translation');
    const es = await runCli(['template', 'show', 'survey-csat', '--locale', 'es', '--json'], { env });
    const t = JSON.parse(es.stdout);
    expect(t).toMatchObject({ name: 'survey-csat', locale: 'es', category: 'survey', source: 'shipped' });
    expect(t.variables).toContain('ticket.requester.first_name');
  });

  it('suggests close names for an unknown template', async () => {
    const r = await runCli(['template', 'show', 'apology-dealy'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('template "apology-dealy" not found; did you mean apology-delay?');
  });
});

describe('template lint', () => {
  it('passes on the shipped templates', async () => {
    const r = await runCli(['template', 'lint'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ templates ok\n$/);
    expect(Number(r.stdout.split(' ')[0])).toBeGreaterThanOrEqual(20);
  });

  it('fails with exit 1 and file:line messages on a broken user template', async () => {
    const { home: brokenHome, cleanup: done } = tempHome();
    try {
      mkdirSync(join(brokenHome, 'templates'));
      const file = join(brokenHome, 'templates', 'my-sorry.md');
      writeFileSync(
        file,
        ['---', 'name: my-sorry', 'category: apologies', 'description: sorry', '---', 'Hi {{ ticket.requester.first_name }}', '{% if ticket.id %}', ''].join('\n'),
      );
      const typo = join(brokenHome, 'templates', 'my-typo.md');
      writeFileSync(typo, ['---', 'name: my-typo', 'category: empathy', 'description: typo', '---', 'Hi {{ ticket.requester.frist_name }}', ''].join('\n'));
      const r = await runCli(['template', 'lint'], { env: { DESKOPS_HOME: brokenHome } });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toContain(`${file}:3: unknown category "apologies"; use one of empathy, apology, ownership, resolution, escalation, follow-up, survey`);
      expect(lines).toContain(`${file}:7: Liquid: tag {% if ticket.id %} not closed`);
      expect(lines).toContain(`${typo}:6: unknown variable {{ ticket.requester.frist_name }}; did you mean ticket.requester.first_name?`);
      expect(lines.at(-1)).toMatch(/^deskops: 3 problems in 2 of \d+ template files$/);

      // one path at a time, too
      const one = await runCli(['template', 'lint', typo], { env: { DESKOPS_HOME: brokenHome } });
      expect(one.code).toBe(1);
      expect(one.stderr).toContain(`${typo}:6:`);
      expect(one.stderr).not.toContain(file);

      // the list skips the broken one with a warning and keeps the good ones
      const list = await runCli(['template', 'list', '--json'], { env: { DESKOPS_HOME: brokenHome } });
      expect(list.code).toBe(0);
      expect(list.stderr).toContain(`warning: skipped ${file}:3`);
      const names = JSON.parse(list.stdout).map((t: ListedTemplate) => t.name);
      expect(names).toContain('my-typo');
      expect(names).not.toContain('my-sorry');
    } finally {
      done();
    }
  });

  it('refuses a template that tries to include a file', async () => {
    const { home: evilHome, cleanup: done } = tempHome();
    try {
      mkdirSync(join(evilHome, 'templates'));
      const file = join(evilHome, 'templates', 'evil.md');
      writeFileSync(file, ['---', 'name: evil', 'category: empathy', 'description: evil', '---', "{% include '/etc/passwd' %}", "{% render '../config.json' %}"].join('\n'));
      const r = await runCli(['template', 'lint', file], { env: { DESKOPS_HOME: evilHome } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}:6: Liquid: {% include %} is not allowed`);
      expect(r.stderr).not.toContain('root:');
    } finally {
      done();
    }
  });
});

describe('template new', () => {
  it('writes a scaffold without a terminal, prints its path, and it lints clean', async () => {
    const r = await runCli(['template', 'new', 'apology-outage', '--category', 'apology'], { env });
    expect(r.code).toBe(0);
    const file = join(home, 'templates', 'apology-outage.md');
    expect(r.stdout.trim()).toBe(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^---\nname: apology-outage\ncategory: apology\n/);
    const lint = await runCli(['template', 'lint', file], { env });
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    const list = JSON.parse((await runCli(['template', 'list', '--json'], { env })).stdout) as ListedTemplate[];
    expect(list.find((t) => t.name === 'apology-outage')).toMatchObject({ source: 'user', category: 'apology' });
  });

  it('refuses to overwrite, and needs a category for a new name', async () => {
    const again = await runCli(['template', 'new', 'apology-outage', '--category', 'apology'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const noCategory = await runCli(['template', 'new', 'brand-new'], { env });
    expect(noCategory.code).toBe(2);
    expect(noCategory.stderr).toContain('--category is required');
    expect(existsSync(join(home, 'templates', 'brand-new.md'))).toBe(false);
    const badName = await runCli(['template', 'new', '../escape', '--category', 'apology'], { env });
    expect(badName.code).toBe(2);
  });

  it('copies a shipped template so the user version overrides it by name', async () => {
    const r = await runCli(['template', 'new', 'survey-nps'], { env });
    expect(r.code).toBe(0);
    const file = r.stdout.trim();
    writeFileSync(file, readFileSync(file, 'utf8').replace('One question, and it takes a few seconds:', 'Quick one:'));
    const show = await runCli(['template', 'show', 'survey-nps', '--json'], { env });
    const t = JSON.parse(show.stdout);
    expect(t.source).toBe('user');
    expect(t.body).toContain('Quick one:');
    const list = JSON.parse((await runCli(['template', 'list', '--json'], { env })).stdout) as ListedTemplate[];
    expect(list.filter((x) => x.name === 'survey-nps')).toEqual([expect.objectContaining({ source: 'user' })]);
  });
});
