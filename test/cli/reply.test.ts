/**
 * The reply commands end to end: main() with buffer streams, the default `local` profile and
 * its in-process embedded desk in a temp DESKOPS_HOME. Comments are counted before and after
 * through `ticket view --json`, so a failed send is proven to have added nothing.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk, startDesk } from '../../src/desk/index.js';
import { createHelpDesk } from '../../src/api/index.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

interface ViewComment {
  id: number;
  author_id: number;
  public: boolean;
  body: string;
}
interface View {
  id: number;
  status: string;
  tags: string[];
  priority: string | null;
  requester: { name: string } | null;
  comments: ViewComment[];
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome());
  await seedDesk({ home, tickets: 120, seed: 11 });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

async function view(id: number): Promise<View> {
  const r = await runCli(['ticket', 'view', String(id), '--json'], { env });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as View;
}

/** Ticket ids in a status, so each test can take its own. */
async function ticketsIn(status: string): Promise<number[]> {
  const r = await runCli(['ticket', 'list', '--status', status, '--json', '--limit', '100'], { env });
  expect(r.code).toBe(0);
  const ids = (JSON.parse(r.stdout) as Array<{ id: number }>).map((t) => t.id);
  expect(ids.length, `${status} tickets in the demo data`).toBeGreaterThan(0);
  return ids;
}

let openIds: number[] = [];
const takeOpen = async () => {
  if (openIds.length === 0) openIds = await ticketsIn('open');
  const id = openIds.shift();
  expect(id, 'an open ticket left').toBeDefined();
  return id!;
};

describe('reply send', () => {
  it('adds exactly one public comment, rendered, with the template changes applied', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const r = await runCli(['reply', 'send', String(id), '--template', 'apology-our-fault', '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ticket_id: id, public: true, template: 'apology-our-fault', status: expect.any(String) });
    expect(Object.keys(out).sort()).toEqual(['body', 'public', 'status', 'template', 'ticket_id']);

    const after = await view(id);
    expect(after.comments).toHaveLength(before.comments.length + 1);
    const added = after.comments.at(-1)!;
    expect(added.public).toBe(true);
    expect(added.body).toBe(out.body);
    expect(added.body).not.toMatch(/\{\{|\{%|%\}|\}\}/);
    expect(added.body).toMatch(new RegExp(`^Hi ${before.requester!.name.split(' ')[0]},`));
    expect(added.body).toContain("I'm sorry. We got this wrong");
    expect(after.tags).toContain('apologised');
    // the preview on stderr is the text sent
    expect(r.stderr).toContain(added.body);
  });

  it('uses --var, the locale fallback and --note; prints the ticket id and the kind', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const r = await runCli(
      ['reply', 'send', String(id), '--template', 'apology-delay', '--locale', 'es-MX', '--var', 'update=Ya localizamos el paquete', '--note', '--yes'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^#${id}: internal note added \\(apology-delay\\)`));
    const added = (await view(id)).comments;
    expect(added).toHaveLength(before.comments.length + 1);
    expect(added.at(-1)).toMatchObject({ public: false });
    expect(added.at(-1)!.body).toContain('Siento mucho la espera');
    expect(added.at(-1)!.body).toContain('En qué punto estamos: Ya localizamos el paquete');
  });

  it('sets the template status, or --status instead', async () => {
    const id = await takeOpen();
    const r = await runCli(['reply', 'send', String(id), '--template', 'followup-pending-reminder-1', '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('pending');
    const v = await view(id);
    expect(v.tags).toContain('pending_reminder_1');
    const other = await takeOpen();
    const s = await runCli(['reply', 'send', String(other), '--template', 'followup-pending-reminder-1', '--status', 'hold', '--yes', '--json'], { env });
    expect(JSON.parse(s.stdout).status).toBe('hold');
  });

  it('sends --body as written, not as Liquid', async () => {
    const id = await takeOpen();
    const r = await runCli(['reply', 'send', String(id), '--body', 'Literal {{ ticket.id }} stays.', '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    expect((await view(id)).comments.at(-1)!.body).toBe('Literal {{ ticket.id }} stays.');
    const file = join(home, 'reply.txt');
    writeFileSync(file, 'From a file.\n\n');
    const f = await runCli(['reply', 'send', String(id), '--body-file', file, '--yes'], { env });
    expect(f.code).toBe(0);
    expect((await view(id)).comments.at(-1)!.body).toBe('From a file.');
    const stdin = await runCli(['reply', 'send', String(id), '--body-file', '-', '--yes'], { env, stdin: 'From stdin.\n' });
    expect(stdin.code).toBe(0);
    expect((await view(id)).comments.at(-1)!.body).toBe('From stdin.');
  });

  it('without a terminal and without --yes: exit 2, nothing sent', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const r = await runCli(['reply', 'send', String(id), '--template', 'apology-our-fault'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes required when not running interactively');
    expect(r.stdout).toBe('');
    expect((await view(id)).comments).toHaveLength(before.comments.length);
  });

  it('a user template with an unknown variable fails, names it, and adds nothing', async () => {
    mkdirSync(join(home, 'templates'), { recursive: true });
    writeFileSync(
      join(home, 'templates', 'my-sorry.md'),
      ['---', 'name: my-sorry', 'category: apology', 'description: ours', '---', 'Hi {{ ticket.requester.nickname }}, sorry.', ''].join('\n'),
    );
    const id = await takeOpen();
    const before = await view(id);
    const r = await runCli(['reply', 'send', String(id), '--template', 'my-sorry', '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('template "my-sorry"');
    expect(r.stderr).toContain('ticket.requester.nickname');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await view(id)).comments).toHaveLength(before.comments.length);

    const missingVar = await runCli(['reply', 'send', String(id), '--template', 'resolution-refund-issued', '--yes'], { env });
    expect(missingVar.code).toBe(1);
    expect(missingVar.stderr).toContain('template "resolution-refund-issued" needs vars.amount');
    expect(missingVar.stderr).toContain('--var amount=');
    expect((await view(id)).comments).toHaveLength(before.comments.length);
  });

  it('refuses bad input with the right exit codes, sending nothing', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const cases: Array<[string[], number, RegExp]> = [
      [['--template', 'apology-dealy'], 1, /template "apology-dealy" not found; did you mean apology-delay\?/],
      [['--template', 'apology-delay', '--var', 'nope'], 2, /--var "nope" is not in key=value form/],
      [['--body', '   '], 2, /empty/],
      [[], 2, /--template NAME, --macro NAME, --draft ID, --body-file FILE or --body TEXT/],
      [['--template', 'apology-delay', '--body', 'x'], 2, /choose one of/],
      [['--body', 'x', '--var', 'a=b'], 2, /--var only applies with --template/],
      [['--draft', 'zzzzzzzz'], 1, /draft zzzzzzzz not found/],
      [['--draft', '../../x'], 2, /is not a draft id/],
      [['--body-file', join(home, 'missing.txt')], 1, /no such file/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(['reply', 'send', String(id), ...args, '--yes'], { env });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect((await view(id)).comments).toHaveLength(before.comments.length);
  });

  it('shows the desk refusing a reply to a closed ticket, plainly', async () => {
    const [closed] = await ticketsIn('closed');
    const before = await view(closed!);
    const r = await runCli(['reply', 'send', String(closed), '--template', 'followup-check-in', '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deskops: .*closed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect((await view(closed!)).comments).toHaveLength(before.comments.length);
  });
});

describe('reply drafts', () => {
  it('round-trips: draft, list, send exactly the draft, which is then gone', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const d = await runCli(['reply', 'draft', String(id), '--template', 'resolution-refund-issued', '--var', 'amount=EUR 49.00'], { env });
    expect(d.code).toBe(0);
    const draftId = /draft ([a-z0-9]+) saved/.exec(d.stderr)?.[1];
    expect(draftId).toBeDefined();
    expect(d.stdout).toContain("I've refunded EUR 49.00");
    expect((await view(id)).comments).toHaveLength(before.comments.length);

    const list = await runCli(['reply', 'drafts', '--json'], { env });
    const drafts = JSON.parse(list.stdout);
    const draft = drafts.find((x: { id: string }) => x.id === draftId);
    expect(draft).toMatchObject({ ticket_id: id, template: 'resolution-refund-issued', public: true, vars: { amount: 'EUR 49.00' } });
    expect(draft.body).toBe(d.stdout.trimEnd());
    expect(readdirSync(join(home, 'drafts')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const wrongTicket = await runCli(['reply', 'send', String(id + 100000), '--draft', draftId!, '--yes'], { env });
    expect(wrongTicket.code).not.toBe(0);

    const s = await runCli(['reply', 'send', String(id), '--draft', draftId!, '--yes', '--json'], { env });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ ticket_id: id, body: draft.body, template: 'resolution-refund-issued', status: 'solved' });
    const after = await view(id);
    expect(after.comments).toHaveLength(before.comments.length + 1);
    expect(after.comments.at(-1)!.body).toBe(draft.body);
    const left = JSON.parse((await runCli(['reply', 'drafts', '--json'], { env })).stdout);
    expect(left.map((x: { id: string }) => x.id)).not.toContain(draftId);
  });

  it('discards a draft, and says so when it is gone', async () => {
    const id = await takeOpen();
    const d = await runCli(['reply', 'draft', String(id), '--template', 'survey-nps', '--json'], { env });
    expect(d.code).toBe(0);
    const draft = JSON.parse(d.stdout);
    expect(draft.body).toContain('number from 0 to 10');
    const mine = JSON.parse((await runCli(['reply', 'drafts', '--ticket', String(id), '--json'], { env })).stdout);
    expect(mine.map((x: { id: string }) => x.id)).toEqual([draft.id]);
    expect((await runCli(['reply', 'discard', draft.id], { env })).code).toBe(0);
    const again = await runCli(['reply', 'discard', draft.id], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`draft ${draft.id} not found`);
  });

  it('sends a draft only to the ticket version it was written for; --rerender renders its template for the ticket as it is now', async () => {
    const id = await takeOpen();
    const d = await runCli(['reply', 'draft', String(id), '--template', 'apology-delay'], { env });
    expect(d.code, d.stderr).toBe(0);
    const draftId = /draft ([a-z0-9]+) saved/.exec(d.stderr)![1]!;
    const before = (await view(id)).comments.length;
    // someone changes the ticket meanwhile
    expect((await runCli(['ticket', 'update', String(id), '--tag', 'changed-meanwhile'], { env })).code).toBe(0);

    const refused = await runCli(['reply', 'send', String(id), '--draft', draftId, '--yes'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^deskops: ticket ${id} changed since draft ${draftId} was written \\(updated .+\\); nothing was sent$`, 'm'));
    expect(refused.stderr).toContain(`deskops reply send ${id} --draft ${draftId} --rerender`);
    expect((await view(id)).comments.length).toBe(before);

    const sent = await runCli(['reply', 'send', String(id), '--draft', draftId, '--rerender', '--yes', '--json'], { env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain('its template is rendered again for the ticket as it is now');
    expect((await view(id)).comments.length).toBe(before + 1);
  });

  it('refuses a draft written on another desk: the demo desk seeded again is another desk', async () => {
    const other = tempHome();
    try {
      await seedDesk({ home: other.home, tickets: 40, seed: 3 });
      const otherEnv = { DESKOPS_HOME: other.home };
      const id = 12;
      const d = await runCli(['reply', 'draft', String(id), '--template', 'survey-nps'], { env: otherEnv });
      expect(d.code, d.stderr).toBe(0);
      const draftId = /draft ([a-z0-9]+) saved/.exec(d.stderr)![1]!;
      expect((await runCli(['desk', 'seed', '--tickets', '40', '--seed', '4', '--yes'], { env: otherEnv })).code).toBe(0);
      const r = await runCli(['reply', 'send', String(id), '--draft', draftId, '--yes'], { env: otherEnv });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`draft ${draftId} was written on the demo desk of profile local before it was seeded again; nothing was sent`);
      expect(r.stderr).toContain(`deskops reply draft ${id} --template survey-nps`);
      // nothing of the draft reached the ticket that now has the number
      const now = JSON.parse((await runCli(['ticket', 'view', String(id), '--json'], { env: otherEnv })).stdout) as View;
      expect(now.comments.some((c) => c.body.includes(d.stdout.trim().split('\n')[0]!))).toBe(false);
    } finally {
      other.cleanup();
    }
  });

  it('refuses --edit without a terminal', async () => {
    const id = await takeOpen();
    const r = await runCli(['reply', 'draft', String(id), '--template', 'survey-nps', '--edit'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--edit needs a terminal');
  });
});

describe('reply suggest', () => {
  it('ranks empathy and a repeat-contact apology first for an angry third contact', async () => {
    const desk = await startDesk({ home });
    let id: number;
    try {
      const api = await createHelpDesk({
        kind: 'local',
        url: desk.url,
        auth: { type: 'basic-token', email: desk.email, token: desk.token },
        profile: 'test',
      });
      const t = await api.createTicket({
        subject: 'Order 10442',
        comment: { body: 'Where is my order 10442?' },
        requester: { name: 'Dana Whitfield', email: 'dana.reply-test@example.com' },
      });
      await api.updateTicket(t.id, {
        comment: { body: 'This is the THIRD time I am writing!!! This is UNACCEPTABLE.', public: true, author_id: t.requester_id },
      });
      id = t.id;
    } finally {
      await desk.close();
    }
    const r = await runCli(['reply', 'suggest', String(id), '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Array<{ name: string; category: string; score: number; reasons: string[]; description: string }>;
    expect(s.slice(0, 2).map((x) => x.name).sort()).toEqual(['apology-repeat-contact', 'empathy-validate-frustration']);
    expect(s[0]!.reasons.length).toBeGreaterThan(0);
    expect(typeof s[0]!.description).toBe('string');

    const table = await runCli(['reply', 'suggest', String(id), '--limit', '2'], { env });
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split('\t')).toEqual(['name', 'category', 'score', 'reasons']);
    expect(rows).toHaveLength(2);
  });

  it('suggests a check-in or a survey for a solved ticket, and nothing for a closed one', async () => {
    const [solved] = await ticketsIn('solved');
    const s = JSON.parse((await runCli(['reply', 'suggest', String(solved), '--json'], { env })).stdout) as Array<{ name: string; category: string }>;
    expect(s.length).toBeGreaterThan(0);
    for (const x of s) expect(['follow-up', 'survey']).toContain(x.category);
    const [closed] = await ticketsIn('closed');
    const c = await runCli(['reply', 'suggest', String(closed), '--json'], { env });
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual([]);
  });
});

describe('help', () => {
  it('every reply and template command has examples', async () => {
    for (const cmd of [
      ['reply'],
      ['reply', 'suggest'],
      ['reply', 'draft'],
      ['reply', 'drafts'],
      ['reply', 'discard'],
      ['reply', 'send'],
      ['template'],
      ['template', 'list'],
      ['template', 'show'],
      ['template', 'new'],
      ['template', 'lint'],
    ]) {
      const r = await runCli([...cmd, '--help'], { env });
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout, cmd.join(' ')).toContain('Examples:');
      expect(r.stdout, cmd.join(' ')).toContain(`$ deskops ${cmd.join(' ')}`);
    }
  });
});

describe('reply send on a terminal', () => {
  /** Runs main() with stdin and stderr as a terminal, and answers the prompt once it shows. */
  async function runOnTerminal(
    argv: string[],
    answer: string,
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const { PassThrough } = await import('node:stream');
    const { main } = await import('../../src/cli/main.js');
    const { createContext } = await import('../../src/cli/context.js');
    const { createIo } = await import('../../src/cli/io.js');
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    let answered = false;
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => {
      err += d;
      if (!answered && /Send this reply to|Add this internal note/.test(err)) {
        answered = true;
        // after the prompt has drawn, on the next turn of the loop: the prompt is listening then
        setImmediate(() => stdin.write(answer));
      }
    });
    const testEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DESKOPS_HOME: home, ...extraEnv } as NodeJS.ProcessEnv;
    const io = createIo({ stdout, stderr, stdin }, testEnv);
    expect(io.interactive).toBe(true);
    const code = await main(argv, createContext(io, { env: testEnv }));
    return { code, stdout: out, stderr: err };
  }

  it('asks, and sends only on yes', async () => {
    const id = await takeOpen();
    const before = await view(id);
    const no = await runOnTerminal(['reply', 'send', String(id), '--template', 'ownership-taking-over'], 'n\r');
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('cancelled; nothing was sent');
    expect((await view(id)).comments).toHaveLength(before.comments.length);

    const yes = await runOnTerminal(['reply', 'send', String(id), '--template', 'ownership-taking-over'], 'y\r');
    expect(yes.code).toBe(0);
    const after = await view(id);
    expect(after.comments).toHaveLength(before.comments.length + 1);
    expect(yes.stderr).toContain(after.comments.at(-1)!.body.split('\n')[2]!);
    expect(yes.stdout).toContain(`#${id}: public reply sent (ownership-taking-over)`);
  });

  it('reply draft --edit saves the text as edited in $EDITOR', async () => {
    const id = await takeOpen();
    const editor = `sed -i -e 's/^Hi /Hello there /'`;
    const r = await runOnTerminal(['reply', 'draft', String(id), '--template', 'survey-csat', '--edit', '--json'], '', { EDITOR: editor });
    expect(r.stderr).toContain('saved for');
    expect(r.code).toBe(0);
    const draft = JSON.parse(r.stdout);
    expect(draft.body).toMatch(/^Hello there /);
    const stored = JSON.parse((await runCli(['reply', 'drafts', '--ticket', String(id), '--json'], { env })).stdout);
    expect(stored[0].body).toBe(draft.body);
  });

  it('template new opens $EDITOR and warns about problems left in the file', async () => {
    const editor = `sed -i -e 's/ticket.title/ticket.titel/'`;
    const r = await runOnTerminal(['template', 'new', 'edited-on-tty', '--category', 'empathy'], '', { EDITOR: editor });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(home, 'templates', 'edited-on-tty.md'));
    expect(r.stderr).toMatch(/warning: .*edited-on-tty\.md:\d+: unknown variable \{\{ ticket\.titel \}\}; did you mean ticket\.title\?/);
  });
});
