/**
 * `template import --from-macros` through main(), on the demo desk's macros: what is written,
 * what is named (placeholders deskops cannot fill, changes a template cannot carry), that the
 * result passes `template lint` and sends, and that nothing is ever overwritten.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk } from '../../src/desk/index.js';
import { seedClock, SEED_NOW } from '../desk/helpers.js';
import { mapPlaceholders, NotATemplate, templateFromMacro, templateNameFor } from '../../src/core/templates/from-macro.js';
import { lintTemplate, parseTemplate } from '../../src/core/templates.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-import-'));
  await seedDesk({ home, tickets: 150, seed: 17, now: SEED_NOW });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

const run = (argv: string[]) => runCli(argv, { env, now: seedClock });

interface Outcome {
  macro: string;
  template: string | null;
  path: string | null;
  category: string | null;
  outcome: string;
  unmapped: Array<{ placeholder: string; var: string }>;
  not_carried: string[];
}

describe('template import --from-macros', () => {
  it('writes nothing with --dry-run', async () => {
    const r = await run(['template', 'import', '--from-macros', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const outcomes = JSON.parse(r.stdout) as Outcome[];
    expect(outcomes.every((o) => o.outcome === 'planned')).toBe(true);
    expect(existsSync(join(home, 'templates'))).toBe(false);
  });

  it("writes one template per macro the agent may use, names what it could not map or carry, and they pass template lint", async () => {
    const r = await run(['template', 'import', '--from-macros', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const outcomes = JSON.parse(r.stdout) as Outcome[];
    const by = (title: string) => outcomes.find((o) => o.macro === title)!;
    expect(outcomes.map((o) => o.macro)).not.toContain('Refund issued'); // the Billing group's
    for (const o of outcomes) expect(o.outcome).toBe('written');

    const close = by('Close and thank');
    expect(close).toMatchObject({ template: 'macro-close-and-thank', category: 'resolution', unmapped: [{ placeholder: '{{ticket.url}}', var: 'ticket_url' }], not_carried: [] });
    expect(by('Escalate to Billing')).toMatchObject({ category: 'escalation', not_carried: ['moving to group Billing', 'unassigning'] });
    expect(by('Apology: delay')).toMatchObject({ template: 'macro-apology-delay', category: 'apology', not_carried: ['assigning to the agent', 'removing tags waiting_on_us'] });
    expect(by('Ask for order number').not_carried).toEqual(['type question']);

    const text = readFileSync(close.path!, 'utf8');
    expect(text).toMatch(/^---\nname: macro-close-and-thank\ncategory: resolution\n/);
    expect(text).toContain('set:\n  status: solved\n  tags:\n    - thanked');
    expect(text).toContain('Hi {{ ticket.requester.first_name }},');
    expect(text).toContain('{{ vars.ticket_url }}');
    expect(text).toContain('{{ current_user.first_name }}');
    expect(readFileSync(by('Escalate to Billing').path!, 'utf8')).toContain('\npublic: false\n');

    const lint = await run(['template', 'lint']);
    expect(lint.stderr).toBe('');
    expect(lint.code).toBe(0);
    expect(lint.stdout).toMatch(/^\d+ templates ok$/m);
  });

  it('never overwrites: a second import keeps every file as it is and says so', async () => {
    const path = join(home, 'templates', 'macro-apology-delay.md');
    const edited = `${readFileSync(path, 'utf8')}\nP.S. edited by hand\n`;
    writeFileSync(path, edited);
    const r = await run(['template', 'import', '--from-macros', '--json']);
    expect(r.code).toBe(0);
    const outcomes = JSON.parse(r.stdout) as Array<Outcome & { reason: string }>;
    expect(outcomes.every((o) => o.outcome === 'exists')).toBe(true);
    expect(outcomes.find((o) => o.template === 'macro-apology-delay')?.reason).toBe(`${path} already exists; not overwritten`);
    expect(readFileSync(path, 'utf8')).toBe(edited);
  });

  it('sends an imported template; a variable deskops cannot fill stops the send until given', async () => {
    const list = JSON.parse((await run(['ticket', 'list', '--status', 'open', '--json'])).stdout) as Array<{ id: number }>;
    const id = list[0]!.id;
    const ask = await run(['reply', 'send', String(id), '--template', 'macro-ask-for-order-number', '--yes', '--json']);
    expect(ask.code, ask.stderr).toBe(0);
    const sent = JSON.parse(ask.stdout);
    expect(sent).toMatchObject({ ticket_id: id, public: true, status: 'pending' });
    expect(sent.body).toMatch(/^Hi \S+,\n\nThanks for getting in touch/);
    expect(sent.body).not.toContain('{{');

    const other = list[1]!.id;
    const missing = await run(['reply', 'send', String(other), '--template', 'macro-close-and-thank', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('vars.ticket_url');
    const given = await run(['reply', 'send', String(other), '--template', 'macro-close-and-thank', '--var', 'ticket_url=https://help.example.com/requests/1', '--yes', '--json']);
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout).body).toContain('The whole conversation stays at https://help.example.com/requests/1.');
  });
});

describe('a macro as a template file', () => {
  it("maps Zendesk's spellings to deskops' placeholders and turns the rest into variables", () => {
    const mapped = mapPlaceholders('Hi {{ticket.requester.firstname}}, re {{ticket.subject}} ({{dc.refund_policy}}, {{ ticket.requester.first_name | upcase }}, {{dc.refund_policy}}) {{ticket.ticket_field_360001}}');
    expect(mapped.body).toBe(
      'Hi {{ ticket.requester.first_name }}, re {{ ticket.title }} ({{ vars.dc_refund_policy }}, {{ ticket.requester.first_name | upcase }}, {{ vars.dc_refund_policy }}) {{ vars.ticket_ticket_field_360001 }}',
    );
    expect(mapped.unmapped).toEqual([
      ['{{dc.refund_policy}}', 'dc_refund_policy'],
      ['{{ticket.ticket_field_360001}}', 'ticket_ticket_field_360001'],
    ]);
  });

  it('makes a template that parses and lints clean, or says why it cannot', () => {
    const made = templateFromMacro({ id: 5, title: 'Réponse: délai!', description: null, actions: [{ field: 'comment_value', value: ['channel:all', 'Bonjour {{ticket.requester.first_name}}'] }, { field: 'priority', value: 'high' }] });
    expect(made.name).toBe('macro-reponse-delai');
    const parsed = parseTemplate(made.text, `/x/${made.name}.md`, 'user');
    expect(parsed.problems).toEqual([]);
    expect(lintTemplate(parsed.template!)).toEqual([]);
    expect(parsed.template).toMatchObject({ category: 'empathy', public: true, set: { priority: 'high' } });
    expect(() => templateFromMacro({ id: 6, title: 'Just solve', description: null, actions: [{ field: 'status', value: 'solved' }] })).toThrow(NotATemplate);
    expect(templateNameFor('  ')).toBe('macro-untitled');
  });
});
