/**
 * The desk's macros through main(): `macro list`, and `reply send --macro` previewing every
 * change and then applying them as one safe update; checked on the ticket as the desk has it
 * afterwards. The safe update itself is checked against the real desk through the service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk } from '../../src/desk/index.js';
import { seedClock, SEED_NOW, startTestDesk, type TestDesk } from '../desk/helpers.js';
import { createHelpDesk } from '../../src/api/index.js';
import { ConflictError } from '../../src/core/errors.js';
import { applyMacroPlan, findMacro, previewMacro } from '../../src/services/macros.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-macro-'));
  await seedDesk({ home, tickets: 200, seed: 13, now: SEED_NOW });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

const run = (argv: string[]) => runCli(argv, { env, now: seedClock });

interface TicketViewJson {
  id: number;
  status: string;
  priority: string | null;
  assignee_id: number | null;
  group_id: number | null;
  tags: string[];
  updated_at: string;
  comments: Array<{ body: string; public: boolean; author_id: number }>;
}

async function ticket(id: number): Promise<TicketViewJson> {
  const r = await run(['ticket', 'view', String(id), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TicketViewJson;
}

/** An open ticket assigned to someone else, not high or urgent: every action of "Apology: delay" changes it. */
async function target(): Promise<number> {
  const r = await run(['ticket', 'list', '--status', 'open', '--all', '--json']);
  const list = JSON.parse(r.stdout) as Array<{ id: number; priority: string | null; assignee_id: number | null }>;
  const t = list.find((x) => x.assignee_id !== null && x.assignee_id !== 1001 && (x.priority === 'normal' || x.priority === 'low'));
  expect(t).toBeDefined();
  return t!.id;
}

describe('macro list', () => {
  it('lists the active macros the agent may use, with what each does', async () => {
    const r = await run(['macro', 'list', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const macros = JSON.parse(r.stdout) as Array<{ title: string; access: string; summary: string; actions: unknown[] }>;
    const titles = macros.map((m) => m.title);
    expect(titles).toEqual(expect.arrayContaining(['Close and thank', 'Escalate to Billing', 'Ask for order number', 'Apology: delay']));
    expect(titles).not.toContain('Refund issued'); // Billing only
    expect(titles).not.toContain('Holiday hours notice (retired)');
    const escalate = macros.find((m) => m.title === 'Escalate to Billing')!;
    expect(escalate.summary).toBe('group Billing · unassign · priority high · +escalated_billing · internal note');
    expect(macros.find((m) => m.title === 'My sign-off: check back tomorrow')?.access).toBe('personal');
  });
});

describe('reply send --macro', () => {
  it('shows every change and the comment as sent, then applies them in one update', async () => {
    const id = await target();
    const before = await ticket(id);
    const r = await run(['reply', 'send', String(id), '--macro', 'apology: DELAY', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ticket_id: id, macro: { title: 'Apology: delay' }, applied: true, status: 'open' });
    // the preview on stderr: every field the macro touches, then the comment
    expect(r.stderr).toMatch(/comment\s+public reply to the requester: /);
    expect(r.stderr).toMatch(new RegExp(`priority\\s+${before.priority} → high`));
    expect(r.stderr).toMatch(/assignee\s+.+ → Alex Morgan/);
    expect(r.stderr).toMatch(/tags\s+\+apologised/);
    expect(r.stderr).toContain("I'm sorry we kept you waiting so long");
    expect(r.stderr).not.toContain('{{');

    const after = await ticket(id);
    expect(after).toMatchObject({ priority: 'high', assignee_id: 1001 });
    expect(after.tags).toContain('apologised');
    expect(after.comments.length).toBe(before.comments.length + 1);
    const added = after.comments[after.comments.length - 1]!;
    expect(added.public).toBe(true);
    expect(added.body).toBe(out.comment.body);
    expect(r.stderr).toContain(added.body.split('\n')[0]);
  });

  it('previews without sending with --dry-run', async () => {
    const id = await target();
    const before = await ticket(id);
    const r = await run(['reply', 'send', String(id), '--macro', 'Escalate to Billing', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('dry run: nothing was sent');
    expect(r.stderr).toMatch(/comment\s+internal note \(agents only\)/);
    expect(r.stderr).toMatch(/group\s+\S.* → Billing/);
    const after = await ticket(id);
    expect(after.updated_at).toBe(before.updated_at);
    expect(after.comments.length).toBe(before.comments.length);
  });

  it('refuses what it cannot do in one line with exit 2, sending nothing', async () => {
    const id = await target();
    const noYes = await run(['reply', 'send', String(id), '--macro', 'Close and thank']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr.trim()).toBe('deskops: --yes required when not running interactively');
    const unknown = await run(['reply', 'send', String(id), '--macro', 'Close and thanks', '--yes']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^deskops: unknown macro "Close and thanks"; the desk's macros: "Close and thank", /);
    const note = await run(['reply', 'send', String(id), '--macro', 'Close and thank', '--note', '--yes']);
    expect(note.code).toBe(2);
    expect(note.stderr).toContain('--note does not apply with --macro');
    const both = await run(['reply', 'send', String(id), '--macro', 'Close and thank', '--template', 'apology-delay', '--yes']);
    expect(both.code).toBe(2);
    expect((await ticket(id)).status).toBe('open');
  });
});

describe('the safe update', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ tickets: 120, seed: 4 });
  });
  afterAll(() => t.close());

  it('refuses to apply a preview once the ticket changed since, and sends nothing', async () => {
    const desk = await createHelpDesk({ kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email: t.desk.email, token: t.desk.token }, profile: 'test' });
    const macro = findMacro(await desk.listMacros(), 'Ask for order number');
    const open = (await t.api('/api/v2/search.json?query=status:open&per_page=1')).body.results[0];
    const preview = await previewMacro(desk, open.id, macro);
    expect(preview.plan.update).toMatchObject({ status: 'pending', additional_tags: ['awaiting_order_number'] });
    await desk.updateTicket(open.id, { additional_tags: ['someone_else'] });
    await expect(applyMacroPlan(desk, preview.plan)).rejects.toBeInstanceOf(ConflictError);
    const now = (await t.api(`/api/v2/tickets/${open.id}.json`)).body.ticket;
    expect(now.status).toBe('open');
    expect(now.tags).not.toContain('awaiting_order_number');

    // previewed again on the ticket as it is now, it goes through
    const again = await previewMacro(desk, open.id, macro, preview.plan.before);
    expect(again.plan.before.updated_at).toBe(now.updated_at);
    const saved = await applyMacroPlan(desk, again.plan);
    expect(saved.status).toBe('pending');
    expect(saved.tags).toEqual(expect.arrayContaining(['awaiting_order_number', 'someone_else']));
  });
});
