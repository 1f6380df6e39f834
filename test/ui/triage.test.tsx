/**
 * The triage screen end to end: ink-testing-library frames (ANSI stripped) of the real
 * component and controller, against the embedded desk seeded in a temp home, over HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import type { Ticket } from '../../src/core/model.js';
import { createHelpDesk } from '../../src/api/index.js';
import { ZENDESK_ENDPOINT_LIMITS, describeWait } from '../../src/api/pacer.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { buildQueue, type QueueItem } from '../../src/services/queue.js';
import { loadLibrary } from '../../src/services/replies.js';
import { tempHome } from '../helpers/cli.js';
import { RequestTally } from '../../src/api/tally.js';
import { ReplicaSession } from '../../src/services/replica/session.js';
import { KEY, mountTriage, waitFor, type Screen } from './harness.js';

const TOTAL = 9001;
const LAST = 9002;

let home: string;
let cleanup: () => void;
let running: RunningDesk;
let desk: HelpDesk;
let screen: Screen | undefined;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-triage-'));
  await seedDesk({ home, tickets: 150, seed: 11 });
  running = await startDesk({ home, rateLimit: 100_000, indexLagSeconds: 0 }); // not about search's lag (test/desk/index-lag.test.ts is)
  desk = await createHelpDesk({
    kind: 'local',
    url: running.url,
    auth: { type: 'basic-token', email: running.email, token: running.token },
    profile: 'test',
  });
});

afterEach(() => {
  screen?.unmount();
  screen = undefined;
});

afterAll(async () => {
  await running?.close();
  cleanup?.();
});

async function mount(options: Parameters<typeof mountTriage>[1] & { desk?: HelpDesk } = {}): Promise<Screen> {
  screen = await mountTriage(options.desk ?? desk, options);
  await screen.waitForText('› ', 'the first row to be selected');
  return screen;
}

const selected = (s: Screen): QueueItem => s.controller.getState().items[s.controller.getState().cursor]!;
const promptChoices = (s: Screen): string[] => {
  const o = s.controller.getState().overlay;
  return o.kind === 'prompt' ? o.prompt.choices : [];
};
const field = (t: Ticket, id: number) => Number(t.custom_fields.find((f) => f.id === id)?.value ?? 0);

describe('triage screen', () => {
  it('refreshes from the replica: with nothing changed a refresh costs 1 request (the live list), shown in the header', async () => {
    const tally = new RequestTally();
    const counted = await createHelpDesk(
      { kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.email, token: running.token }, profile: 'triage-replica' },
      { logger: (e) => tally.record(e.url) },
    );
    const session = ReplicaSession.open({ home, desk: counted, now: () => new Date() })!;
    try {
      const source = session.queueSource();
      const s = await mount({
        loadQueue: async (filter) => {
          const mark = tally.mark();
          const q = await buildQueue(session.desk, { view: { kind: 'all' }, filter, limit: 40, enrich: 5, source });
          return { items: q.items, total: q.total, requests: tally.since(mark).total };
        },
      });
      const first = s.controller.getState().loadRequests!;
      expect(first).toBeGreaterThan(5);
      expect(s.frame()).toMatch(new RegExp(`updated \\d\\d:\\d\\d UTC, ${first} requests`));
      await s.controller.refresh();
      expect(s.controller.getState().loadRequests).toBe(1);
      await s.waitForText(/updated \d\d:\d\d UTC, 1 request\b/);
    } finally {
      session.close();
    }
  });

  it('lists the queue by urgency with the selected ticket\'s thread, and moves with j/k and arrows', async () => {
    const s = await mount();
    const items = s.controller.getState().items;
    expect(items.length).toBeGreaterThan(5);
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.urgency.score).toBeGreaterThanOrEqual(items[i]!.urgency.score);
    const f = s.frame();
    expect(f).toContain('deskops triage · all');
    expect(f).toMatch(/URG\s+SLA\s+ID\s+SUBJECT\s+REQUESTER\s+AGE/);
    expect(f).toContain(`#${items[0]!.ticket.id} `);
    // the detail pane shows the thread preview once fetched
    await s.waitForText(/ · (customer|reply|internal note) · /, 'the thread preview');

    await s.press('j');
    await s.waitForText(new RegExp(`^#${items[1]!.ticket.id} `, 'm'), 'the second ticket in the detail pane');
    await s.press(KEY.down);
    expect(selected(s).ticket.id).toBe(items[2]!.ticket.id);
    await s.press('k');
    await s.press(KEY.up);
    expect(selected(s).ticket.id).toBe(items[0]!.ticket.id);
    await s.waitForText(new RegExp(`^#${items[0]!.ticket.id} `, 'm'));
    // a breached SLA counts down below zero
    const breached = items.find((i) => i.urgency.sla && i.urgency.sla.msLeft < 0);
    if (breached) expect(s.frame()).toMatch(new RegExp(`-\\d+[mhdw]\\s+#${breached.ticket.id} `));
  });

  it('opens the full thread with enter, scrolls it, and goes back with esc', async () => {
    const s = await mount();
    const id = selected(s).ticket.id;
    await s.press(KEY.enter);
    await s.waitForText(`#${id}`);
    const thread = await s.waitForText('— thread', 'the thread view');
    expect(thread).not.toContain('URG');
    await s.waitForText(/ · (customer|reply|internal note) · /, 'the comments');
    await s.press('j', 'j');
    await s.press(KEY.escape);
    await s.waitForText('URG', 'the list again');
    expect(s.frame()).not.toContain('— thread');
  });

  it('assigns to me from the agent picker, "me" first', async () => {
    const s = await mount();
    const me = await desk.me();
    const target = s.controller.getState().items.find((i) => i.ticket.assignee_id !== me.id)!;
    s.controller.dispatch({ type: 'moveTo', index: s.controller.getState().items.indexOf(target) });
    await s.press('a');
    const picker = await s.waitForText(`Assign #${target.ticket.id} to`);
    expect(picker).toMatch(/› me/);
    await waitFor(() => promptChoices(s).length > 2, 'the agents to load');
    expect(promptChoices(s)[0]).toBe('me');
    expect(s.frame()).toContain(`  ${promptChoices(s)[1]}`);
    await s.press(KEY.enter);
    await s.waitForText(`#${target.ticket.id}: assigned to me`);
    expect((await desk.getTicket(target.ticket.id)).assignee_id).toBe(me.id);
  });

  it('shows a change in the detail pane and the urgency at once, without waiting for a reload', async () => {
    const s = await mount(); // no periodic refresh
    const me = await desk.me();
    const target = s.controller.getState().items.find((i) => i.ticket.assignee_id !== me.id && i.ticket.priority !== 'urgent' && i.ticket.priority !== 'high')!;
    s.controller.dispatch({ type: 'moveTo', index: s.controller.getState().items.indexOf(target) });
    await s.waitForText(/ · (customer|reply|internal note) · /, 'the thread preview, read before the change');
    const before = selected(s).urgency.score;

    await s.press('a');
    await waitFor(() => promptChoices(s).length > 2, 'the agents to load');
    await s.press(KEY.enter);
    await s.waitForText(`#${target.ticket.id}: assigned to me`);
    await s.waitForText(new RegExp(`→ ${me.name}`), 'the new assignee in the detail pane');

    await s.press('p');
    await s.type('urgent');
    await s.press(KEY.enter);
    await s.waitForText(`#${target.ticket.id}: priority`);
    await waitFor(() => selected(s).urgency.reasons.some((r) => r.label === 'urgent priority'), 'the urgency scored with the new priority');
    expect(selected(s).urgency.score).toBeGreaterThan(before);
    expect(s.frame()).toMatch(new RegExp(`urgency ${selected(s).urgency.score}: .*urgent priority \\+30`));
  });

  it('escalates in one key: escalations group, priority one step up, an internal note with the reason, and the handle time', async () => {
    const s = await mount();
    const target = s.controller.getState().items.find((i) => i.ticket.priority === 'normal' || i.ticket.priority === 'low')!;
    expect(target).toBeDefined();
    s.controller.dispatch({ type: 'moveTo', index: s.controller.getState().items.indexOf(target) });
    const before = await desk.getTicket(target.ticket.id);
    s.clock.now += 42_000; // the agent reads the ticket for 42 s
    await s.press('e');
    await s.waitForText(`Escalate #${target.ticket.id} to escalations; reason`);
    const overlay = s.controller.getState().overlay;
    expect(overlay.kind === 'prompt' && overlay.prompt.input).toMatch(/^Needs senior attention: .+\.$/);
    await s.press('\u0015'); // ctrl-u clears the default reason
    await s.type('Customer asked for a manager twice');
    await s.press(KEY.enter);
    await s.waitForText(`#${target.ticket.id}: escalated to escalations (42s logged)`);

    const after = await desk.getTicket(target.ticket.id);
    const groups = await desk.listGroups();
    expect(after.group_id).toBe(groups.find((g) => g.name.toLowerCase() === 'escalations')!.id);
    expect(after.priority).toBe(before.priority === 'low' ? 'normal' : 'high');
    expect(after.tags).toContain('escalated');
    expect(field(after, LAST)).toBe(42);
    expect(field(after, TOTAL)).toBe(field(before, TOTAL) + 42);
    const comments: Array<{ body: string; public: boolean }> = [];
    for await (const c of desk.listComments(target.ticket.id)) comments.push(c);
    expect(comments.at(-1)).toMatchObject({ public: false });
    expect(comments.at(-1)!.body).toContain('Escalated to escalations');
    expect(comments.at(-1)!.body).toContain('Reason: Customer asked for a manager twice');
    expect(comments.at(-1)!.body).toContain(`Priority raised from ${before.priority}`);
  });

  it('adds a tag', async () => {
    const s = await mount();
    const id = selected(s).ticket.id;
    await s.press('t');
    await s.waitForText(`Tags for #${id}`);
    await s.type('callback-due');
    await s.press(KEY.enter);
    await s.waitForText(`#${id}: tags +callback-due`);
    expect((await desk.getTicket(id)).tags).toContain('callback-due');
  });

  it('takes keys that arrive in one burst one by one, as a fast typist or a script sends them', async () => {
    const s = await mount();
    const items = s.controller.getState().items;
    await s.press('jjjjj'); // one read from the terminal
    expect(selected(s).ticket.id).toBe(items[5]!.ticket.id);
    await s.press('kk');
    expect(selected(s).ticket.id).toBe(items[3]!.ticket.id);
    const id = items[3]!.ticket.id;
    // the key that opens the prompt, the text and enter, all in one read
    await s.press('tburst-tag\r');
    await s.waitForText(`#${id}: tags +burst-tag`);
    expect((await desk.getTicket(id)).tags).toContain('burst-tag');
    // a control key in the middle of typed text is still that key: ctrl-u clears, backspace deletes
    await s.press('twrong\u0015bursty\u007f\r');
    await s.waitForText(`#${id}: tags +burst`);
    expect((await desk.getTicket(id)).tags).not.toContain('wrong');
  });

  it('keeps what is typed while the reply picker loads and applies it once it is there; esc drops it', async () => {
    const gated = () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      return { open, loadTemplates: async () => (await gate, loadLibrary({ home: '/nonexistent/deskops-home' })) };
    };
    const first = gated();
    const s = await mount({ loadTemplates: first.loadTemplates });
    const id = selected(s).ticket.id;
    // r and the filter typed before the templates are read (not awaited: the load waits on the gate)
    s.controller.handleInput('r', {});
    await s.waitForText(`Reply to #${id}`);
    s.controller.handleInput('apology-del', {});
    first.open();
    await waitFor(() => {
      const o = s.controller.getState().overlay;
      return o.kind === 'reply' && o.reply.step === 'pick' && o.reply.picker.input === 'apology-del';
    }, 'the typed filter in the picker');
    await s.waitForText(/› apology-delay /);
    await s.press(KEY.escape);
    await s.waitForText('URG', 'the list again');
    s.unmount();

    // typed ahead, then esc: nothing typed is replayed on the list (no `a` opening the assign picker)
    const second = gated();
    const t = await mount({ loadTemplates: second.loadTemplates });
    t.controller.handleInput('r', {});
    t.controller.handleInput('apology', {});
    t.controller.handleInput('', { escape: true });
    second.open();
    await t.controller.idle;
    expect(t.controller.getState().overlay.kind).toBe('none');
    expect(t.frame()).not.toContain('Assign #');
  });

  it('applies one change to every marked ticket and shows each outcome', async () => {
    const s = await mount();
    const items = s.controller.getState().items;
    const ids = items.slice(3, 6).map((i) => i.ticket.id);
    s.controller.dispatch({ type: 'moveTo', index: 3 });
    await s.press(KEY.space, KEY.space, KEY.space);
    await s.waitForText('3 marked');
    expect(s.frame().match(/^ \*/gm)?.length ?? 0).toBe(3);
    await s.press('p');
    await s.waitForText('Priority of 3 marked tickets');
    await s.type('hi');
    await s.waitForText('› high');
    await s.press(KEY.enter);
    await s.waitForText('priority high: all 3 tickets');
    for (const id of ids) expect((await desk.getTicket(id)).priority).toBe('high');
    const f = s.frame();
    for (const id of ids) expect(f).toMatch(new RegExp(`✓.*#${id} `));
    expect(f).not.toContain('marked');
  });

  it('previews one text for several marked tickets before it goes to all of them; s sends and solves', async () => {
    const text = 'We found the cause of the outage and fixed it; thanks for your patience.';
    const s = await mount({ editText: async () => text });
    const items = s.controller.getState().items;
    const ids = items.slice(6, 8).map((i) => i.ticket.id);
    s.controller.dispatch({ type: 'moveTo', index: 6 });
    await s.press(KEY.space, KEY.space);
    await s.waitForText('2 marked');
    await s.press('r');
    await s.waitForText('Reply to 2 marked tickets — public reply, the same text to each');
    await s.waitForText(`#${ids[0]}, #${ids[1]}`);
    await s.waitForText('the cause of the outage');
    await s.waitForText('enter / y send to all 2');
    // nothing has gone yet
    for (const id of ids) {
      const bodies: string[] = [];
      for await (const c of desk.listComments(id)) bodies.push(c.body);
      expect(bodies).not.toContain(text);
    }
    await s.press('s');
    await s.waitForText('reply sent, status solved: all 2 tickets');
    for (const id of ids) {
      const bodies: string[] = [];
      for await (const c of desk.listComments(id)) bodies.push(c.body);
      expect(bodies.at(-1)).toBe(text);
      expect((await desk.getTicket(id)).status).toBe('solved');
    }
  });

  it('shows a change at once and rolls it back with an error when the desk refuses it', async () => {
    let closed: Ticket | undefined;
    for await (const t of desk.searchTickets('type:ticket status:closed', { limit: 1 })) closed = t;
    expect(closed, 'a closed ticket in the demo data').toBeDefined();
    const s = await mount({
      loadQueue: async () => {
        const q = await buildQueue(desk, { view: { kind: 'all' }, limit: 10, enrich: 0 });
        // closed since the list was loaded
        const stale: QueueItem = { ticket: closed!, urgency: { score: 999, reasons: [], sla: null }, vip: false };
        return { items: [stale, ...q.items], total: q.total + 1 };
      },
    });
    expect(selected(s).ticket.id).toBe(closed!.id);
    await s.waitForText(/^closed · /m);
    await s.press('s');
    await s.type('pend');
    await s.press(KEY.enter);
    await s.waitForText(`error: #${closed!.id} not changed:`);
    expect(s.frame()).toMatch(/closed/i);
    expect(s.frame()).toMatch(/^closed · /m);
    expect(s.frame()).toMatch(new RegExp(`✗.*#${closed!.id} `));
    // it was shown as pending before the desk answered
    expect(s.frames().some((f) => /^pending · /m.test(f))).toBe(true);
    expect((await desk.getTicket(closed!.id)).status).toBe('closed');
  });

  it('refuses an unknown status or agent in the status line and changes nothing', async () => {
    const s = await mount();
    const id = selected(s).ticket.id;
    const before = await desk.getTicket(id);
    await s.press('s');
    await s.type('bogus');
    await s.press(KEY.enter);
    await s.waitForText('error: unknown status "bogus"');
    await s.press('a');
    await waitFor(() => promptChoices(s).length > 2, 'the agents to load');
    await s.type('Nobody Such');
    await s.press(KEY.enter);
    await s.waitForText('error: agent "Nobody Such" not found');
    const after = await desk.getTicket(id);
    expect(after.updated_at).toBe(before.updated_at);
    expect(after.status).toBe(before.status);
  });

  it('previews a reply written in the editor ("write my own" in the picker), sends it and sets pending with p, and cancels on an empty file', async () => {
    const texts = ['', 'Thanks for waiting, the replacement ships today.'];
    const s = await mount({ editText: async () => texts.shift() ?? null });
    const id = selected(s).ticket.id;
    await s.press('r');
    await s.waitForText('write my own');
    await s.press(KEY.up); // the last line
    await s.waitForText(/› ✎ write my own/);
    await s.press(KEY.enter);
    await s.waitForText('reply cancelled');
    await s.press('r');
    await s.waitForText('write my own');
    await s.type('zzz-no-such-template');
    await s.waitForText(/› ✎ write my own/);
    await s.press(KEY.enter);
    // the text as it will be sent, before anything is
    await s.waitForText(`Reply to #${id} with your text — public reply`);
    await s.waitForText('the replacement ships today');
    await s.waitForText('p send, pending');
    const before: Array<{ body: string }> = [];
    for await (const c of desk.listComments(id)) before.push(c);
    expect(before.some((c) => c.body.includes('the replacement ships today'))).toBe(false);
    await s.press('p');
    await s.waitForText(`#${id}: reply sent, status pending`);
    const comments: Array<{ body: string; public: boolean }> = [];
    for await (const c of desk.listComments(id)) comments.push(c);
    expect(comments.at(-1)).toMatchObject({ body: 'Thanks for waiting, the replacement ships today.', public: true });
    expect((await desk.getTicket(id)).status).toBe('pending');
  });

  describe('reply picker', () => {
    let n = 0;
    /** A new open ticket whose customer wrote angrily, alone in the queue the screen shows. */
    async function angryTicket(): Promise<{ ticket: Ticket; tag: string }> {
      const tag = `picker-${++n}`;
      let customer: { id: number } | undefined;
      for await (const u of desk.listUsers({ role: 'end-user' })) {
        customer = u;
        break;
      }
      const ticket = await desk.createTicket({
        subject: 'Still no refund for my order',
        comment: { body: 'This is the THIRD time I write about this!!! Nobody has answered. This is unacceptable.', author_id: customer!.id, public: true },
        requester_id: customer!.id,
        status: 'open',
        priority: 'high',
        tags: [tag, 'complaint'],
      });
      return { ticket, tag };
    }
    const onlyTagged = (tag: string) => async () => {
      const q = await buildQueue(desk, { view: { kind: 'all' }, filter: `tags:${tag}`, limit: 10, enrich: 0 });
      return { items: q.items, total: q.total };
    };
    const comments = async (id: number) => {
      const out: Array<{ body: string; public: boolean }> = [];
      for await (const c of desk.listComments(id)) out.push(c);
      return out;
    };
    const preview = (s: Screen) => {
      const o = s.controller.getState().overlay;
      return o.kind === 'reply' && o.reply.step === 'preview' ? o.reply.draft : undefined;
    };

    it('suggests empathy or apology first for an angry complaint, previews the exact text, and sends it with enter as one public reply with the handle time', async () => {
      const { ticket, tag } = await angryTicket();
      const s = await mount({ loadQueue: onlyTagged(tag) });
      expect(selected(s).ticket.id).toBe(ticket.id);
      const before = await comments(ticket.id);
      s.clock.now += 30_000; // the agent reads the ticket for 30 s
      await s.press('r');
      const picker = await s.waitForText('suggested for this ticket');
      expect(picker).toContain(`Reply to #${ticket.id}`);
      expect(picker).toContain('all templates');
      expect(picker).toContain('write my own');
      const o = s.controller.getState().overlay;
      const first = o.kind === 'reply' && o.reply.step === 'pick' ? o.reply.picker.suggested[0] : undefined;
      expect(first?.name).toMatch(/^(empathy|apology)-/);
      expect(first?.detail).toMatch(/repeat contact|strong words|capitals|exclamation/);
      expect(picker).toMatch(new RegExp(`› ${first!.name}`));

      await s.press(KEY.enter);
      const shown = await s.waitForText('enter / y send as a public reply');
      const draft = preview(s)!;
      expect(draft.template).toBe(first!.name);
      expect(draft.body).not.toContain('{{');
      expect(shown).not.toContain('{{');
      expect(shown).toContain(draft.body.split('\n')[0]!.slice(0, 40));

      await s.press(KEY.enter);
      await s.waitForText(`#${ticket.id}: reply sent (${first!.name}) (30s logged)`);
      const after = await comments(ticket.id);
      expect(after).toHaveLength(before.length + 1);
      expect(after.at(-1)).toEqual(expect.objectContaining({ body: draft.body, public: true }));
      const saved = await desk.getTicket(ticket.id);
      expect(field(saved, LAST)).toBe(30);
    });

    it('sends the preview as an internal note with n, and after an edit in $EDITOR sends the edited text', async () => {
      const { ticket, tag } = await angryTicket();
      const s = await mount({ loadQueue: onlyTagged(tag), editText: async (text) => `${text}\n\nP.S. I have flagged this to my lead.` });
      await s.press('r');
      await s.waitForText('suggested for this ticket');
      await s.press(KEY.enter);
      await s.waitForText('enter / y send as a public reply');
      const rendered = preview(s)!.body;
      await s.press('e');
      await s.waitForText('P.S. I have flagged this to my lead.');
      expect(preview(s)!.body).toBe(`${rendered}\n\nP.S. I have flagged this to my lead.`);
      const template = preview(s)!.template;
      await s.press('n');
      await s.waitForText(`#${ticket.id}: internal note added (${template})`);
      const last = (await comments(ticket.id)).at(-1)!;
      expect(last.public).toBe(false);
      expect(last.body).toBe(`${rendered}\n\nP.S. I have flagged this to my lead.`);
    });

    it('cancels with esc, from the picker and from the preview, sending nothing; the templates are read once', async () => {
      const { ticket, tag } = await angryTicket();
      let libraryLoads = 0;
      const s = await mount({ loadQueue: onlyTagged(tag), loadTemplates: () => (libraryLoads++, loadLibrary({ home: '/nonexistent/deskops-home' })) });
      expect(libraryLoads).toBe(0); // not before the first r
      const before = await desk.getTicket(ticket.id);
      await s.press('r');
      await s.waitForText('suggested for this ticket');
      await s.press(KEY.escape);
      await s.waitForText('reply cancelled: nothing was sent');
      expect(s.frame()).toContain('URG');
      await s.press('r');
      await s.waitForText('suggested for this ticket');
      await s.press(KEY.enter);
      await s.waitForText('enter / y send as a public reply');
      await s.press(KEY.escape); // back to the picker
      await s.waitForText('template: ');
      await s.press(KEY.escape);
      await s.waitForText('reply cancelled: nothing was sent');
      expect(libraryLoads).toBe(1);
      const after = await desk.getTicket(ticket.id);
      expect(after.updated_at).toBe(before.updated_at);
      expect(await comments(ticket.id)).toHaveLength(1);
    });

    it('shows the error of a user template whose variable does not resolve, and sends nothing', async () => {
      mkdirSync(join(home, 'templates'), { recursive: true });
      writeFileSync(
        join(home, 'templates', 'broken-sorry.md'),
        ['---', 'name: broken-sorry', 'category: apology', 'description: ours, with a typo', '---', 'Hi {{ ticket.requester.nickname }}, sorry.', ''].join('\n'),
      );
      const { ticket, tag } = await angryTicket();
      const s = await mount({ loadQueue: onlyTagged(tag), home });
      const before = await desk.getTicket(ticket.id);
      await s.press('r');
      await s.waitForText('suggested for this ticket');
      await s.type('broken');
      await s.waitForText(/› broken-sorry/);
      await s.press(KEY.enter);
      const f = await s.waitForText('error: template "broken-sorry"');
      expect(f).toContain('ticket.requester.nickname');
      expect(s.controller.getState().overlay).toMatchObject({ kind: 'reply', reply: { step: 'pick' } });
      await s.press(KEY.escape);
      const after = await desk.getTicket(ticket.id);
      expect(after.updated_at).toBe(before.updated_at);
      expect(await comments(ticket.id)).toHaveLength(1);
    });
  });

  it('filters with the ticket list query syntax', async () => {
    const s = await mount();
    await s.press('/');
    await s.waitForText('Filter:');
    await s.type('tags:complaint');
    await s.press(KEY.enter);
    await s.waitForText('filter: tags:complaint');
    const items = s.controller.getState().items;
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(i.ticket.tags).toContain('complaint');
  });

  it('refreshes periodically and keeps the selection on the same ticket when the order changes', async () => {
    let calls = 0;
    let reverse = false;
    const s = await mount({
      refreshMs: 40,
      loadQueue: async () => {
        calls += 1;
        const q = await buildQueue(desk, { view: { kind: 'all' }, limit: 12, enrich: 0 });
        return { items: reverse ? [...q.items].reverse() : q.items, total: q.total };
      },
    });
    await s.press('j', 'j');
    const id = selected(s).ticket.id;
    const count = s.controller.getState().items.length;
    expect(s.controller.getState().cursor).toBe(2);
    reverse = true;
    const seen = calls;
    await waitFor(() => calls >= seen + 2 && !s.controller.getState().loading, 'two periodic refreshes');
    expect(selected(s).ticket.id).toBe(id);
    expect(s.controller.getState().cursor).toBe(count - 1 - 2);
    await s.waitForText(new RegExp(`^› .*#${id} `, 'm'));
  });

  it('shows the help overlay and closes it with esc', async () => {
    const s = await mount();
    await s.press('?');
    const help = await s.waitForText('Keys');
    expect(help).toContain('escalate: escalations group');
    expect(help).toContain('space');
    await s.press(KEY.escape);
    await s.waitForText('URG');
    expect(s.frame()).not.toContain('esc or ? closes this help');
  });

  it('fits 80x24, and shows "terminal too small" on a tiny or zero-width terminal without crashing', async () => {
    const s = await mount({ size: { columns: 80, rows: 24 } });
    await s.waitForText(/ · (customer|reply|internal note) · /);
    const lines = s.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    s.rerender({ columns: 30, rows: 8 });
    await s.waitForText('terminal too small');
    s.rerender({ columns: 0, rows: 0 });
    await s.waitForText('terminal too small');
    await s.press('j');
    s.rerender({ columns: 120, rows: 40 });
    await s.waitForText('URG');
  });

  it('says on the status line what a change waits for when it meets an endpoint limit', async () => {
    let onWait: (text: string) => void = () => undefined;
    // ticket updates paced at 1 a minute; the wait never ends, what matters is that it is shown
    const slow = await createHelpDesk(
      { kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.email, token: running.token }, profile: 'test' },
      {
        endpointLimits: ZENDESK_ENDPOINT_LIMITS.map((l) => (l.what === 'ticket updates' ? { ...l, perMinute: 1 } : l)),
        onWait: (w) => onWait(`waiting: ${describeWait(w)}`),
        sleep: () => new Promise<void>(() => undefined),
      },
    );
    const s = await mountTriage(slow);
    screen = s;
    await s.waitForText('› ', 'the first row to be selected');
    onWait = (text) => s.controller.notice(text);
    const items = s.controller.getState().items;
    for (const item of items.slice(0, 2)) {
      s.controller.dispatch({ type: 'moveTo', index: items.indexOf(item) });
      s.controller.handleInput('t', {});
      s.controller.handleInput('paced\r', {});
    }
    await s.waitForText(/waiting: ticket updates: 1 requests a minute, next in \d+ s/);
  });

  it('switches view with v, names the desk in the header, and keeps ? help in the footer', async () => {
    const s = await mount();
    expect(s.frame().split('\n')[0]).toMatch(/^deskops triage · all · \d+( of \d+)? tickets · .* · demo desk at 127\.0\.0\.1:\d+$/);
    expect(s.frame().split('\n').at(-1)).toMatch(/ · \? help · q quit$/);
    await s.press('v');
    await s.waitForText('View');
    await waitFor(() => promptChoices(s).some((c) => c.startsWith('group:')), 'the desk\'s groups as views');
    expect(promptChoices(s).slice(0, 3)).toEqual(['mine', 'unassigned', 'all']);
    await s.type('group:bill');
    await s.press(KEY.enter);
    await s.waitForText(/^deskops triage · group:Billing · \d+ tickets/m);
    await s.waitForText(/view group:Billing: \d+ tickets?/);
    const groups = await desk.listGroups();
    const billing = groups.find((g) => g.name === 'Billing')!;
    expect(s.controller.getState().items.length).toBeGreaterThan(0);
    for (const item of s.controller.getState().items) expect(item.ticket.group_id).toBe(billing.id);
    // a name that is no view is refused on the status line; the screen stays where it was
    await s.press('v');
    await s.type('everything');
    await s.press(KEY.enter);
    await s.waitForText(/error: unknown view "everything"/);
    expect(s.frame().split('\n')[0]).toMatch(/^deskops triage · group:Billing/);
  });

  it("switches to one of the desk's views with v, by its title", async () => {
    const s = await mount();
    await s.press('v');
    await waitFor(() => promptChoices(s).includes('Urgent tickets'), "the desk's views offered");
    await s.type('urgent tick');
    await s.press(KEY.enter);
    await s.waitForText(/^deskops triage · Urgent tickets · \d+ tickets/m);
    const items = s.controller.getState().items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.ticket.priority).toBe('urgent');
  });

  it("reads a desk view chosen with v from the replica: a refresh with nothing changed costs 1 request", async () => {
    const tally = new RequestTally();
    const urls: string[] = [];
    const counted = await createHelpDesk(
      { kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.email, token: running.token }, profile: 'triage-desk-view' },
      { logger: (e) => (tally.record(e.url), urls.push(e.url)) },
    );
    const session = ReplicaSession.open({ home, desk: counted, now: () => new Date() })!;
    try {
      const s = await mount({ desk: session.desk, source: session.queueSource(), tally });
      await s.press('v');
      await waitFor(() => promptChoices(s).includes('Urgent tickets'), "the desk's views offered");
      await s.type('urgent tick');
      await s.press(KEY.enter);
      await s.waitForText(/^deskops triage · Urgent tickets · \d+ tickets/m);
      const state = s.controller.getState();
      // the tickets the desk's view selects, unsolved, and no read of the view's tickets
      const view = (await desk.listViews()).find((v) => v.title === 'Urgent tickets')!;
      const fromDesk: number[] = [];
      for await (const t of desk.viewTickets(view)) if (t.status !== 'solved' && t.status !== 'closed') fromDesk.push(t.id);
      expect(fromDesk.length).toBeGreaterThan(0);
      expect(state.total).toBe(fromDesk.length);
      expect(state.items.length).toBe(Math.min(40, fromDesk.length));
      for (const item of state.items) expect(fromDesk).toContain(item.ticket.id);
      expect(urls.filter((u) => u.includes('/views/') && u.includes('/tickets'))).toEqual([]);
      await s.controller.refresh();
      expect(s.controller.getState().loadRequests).toBe(1);
      await s.waitForText(/updated \d\d:\d\d UTC, 1 request\b/);
    } finally {
      session.close();
    }
  });

  describe("the desk's macros", () => {
    /** An open ticket of another agent, priority normal, alone in the queue: every action of "Apology: delay" changes it. */
    async function otherAgentsTicket(tag: string): Promise<Ticket> {
      let customer: { id: number } | undefined;
      for await (const u of desk.listUsers({ role: 'end-user' })) {
        customer = u;
        break;
      }
      return desk.createTicket({
        subject: 'Where is my standing desk?',
        comment: { body: 'I ordered two weeks ago and have heard nothing.', author_id: customer!.id, public: true },
        requester_id: customer!.id,
        assignee_id: 1002,
        status: 'open',
        priority: 'normal',
        tags: [tag, 'waiting_on_us'],
      });
    }
    const only = (tag: string) => async () => {
      const q = await buildQueue(desk, { view: { kind: 'all' }, filter: `tags:${tag}`, limit: 10, enrich: 0 });
      return { items: q.items, total: q.total };
    };

    it('offers them after the templates, previews every change and the comment, and applies them in one update with y', async () => {
      const ticket = await otherAgentsTicket('macro-apply');
      const s = await mount({ loadQueue: only('macro-apply') });
      expect(selected(s).ticket.id).toBe(ticket.id);
      s.clock.now += 20_000;
      await s.press('r');
      await s.waitForText('template: ');
      await s.type('apology: de');
      const picker = await s.waitForText("the desk's macros");
      expect(picker).toMatch(/› Apology: delay/);
      await s.press(KEY.enter);
      const shown = await s.waitForText('enter / y apply these changes in one update');
      expect(shown).toContain(`Macro "Apology: delay" on #${ticket.id}: what it changes`);
      expect(shown).toMatch(/comment\s+public reply to the requester/);
      expect(shown).toMatch(/priority\s+normal → high/);
      expect(shown).toMatch(/assignee\s+Priya Raman → Alex Morgan/);
      expect(shown).toMatch(/tags\s+\+apologised -waiting_on_us/);
      expect(shown).toMatch(/no change\s+status open \(already so\)/);
      expect(shown).toContain("I'm sorry we kept you waiting so long");
      expect(shown).not.toContain('{{');
      // nothing is sent before y
      expect((await desk.getTicket(ticket.id)).updated_at).toBe(ticket.updated_at);

      await s.press('y');
      await s.waitForText(`#${ticket.id}: macro "Apology: delay" applied, reply sent (20s logged)`);
      const saved = await desk.getTicket(ticket.id);
      expect(saved).toMatchObject({ priority: 'high', assignee_id: 1001, status: 'open' });
      expect(saved.tags).toContain('apologised');
      expect(saved.tags).not.toContain('waiting_on_us');
      expect(field(saved, LAST)).toBe(20);
      const thread: Array<{ body: string; public: boolean }> = [];
      for await (const c of desk.listComments(ticket.id)) thread.push(c);
      expect(thread).toHaveLength(2);
      expect(thread[1]!.public).toBe(true);
      expect(thread[1]!.body).toMatch(/^Hi \S+,\n\nI'm sorry we kept you waiting/);
    });

    it('previews and applies a macro on the ticket as the desk has it now, when it changed since the list loaded', async () => {
      const ticket = await otherAgentsTicket('macro-stale');
      const s = await mount({ loadQueue: only('macro-stale') });
      await desk.updateTicket(ticket.id, { additional_tags: ['touched_elsewhere'] }); // someone else, meanwhile
      await s.press('r');
      await s.waitForText('template: ');
      await s.type('ask for order');
      await s.press(KEY.enter);
      await s.waitForText('enter / y apply these changes in one update');
      await s.press('y');
      await s.waitForText(`#${ticket.id}: macro "Ask for order number" applied, reply sent`);
      const saved = await desk.getTicket(ticket.id);
      expect(saved.status).toBe('pending');
      expect(saved.tags).toEqual(expect.arrayContaining(['touched_elsewhere', 'awaiting_order_number']));
    });

    it('goes back to the picker with esc from the preview, sending nothing; a desk without macros offers templates alone', async () => {
      const ticket = await otherAgentsTicket('macro-back');
      const s = await mount({ loadQueue: only('macro-back') });
      await s.press('r');
      await s.waitForText('template: ');
      await s.type('escalate to bil');
      await s.press(KEY.enter);
      const shown = await s.waitForText('enter / y apply these changes in one update');
      expect(shown).toMatch(/comment\s+internal note \(agents only\)/);
      expect(shown).toMatch(/group\s+no group → Billing|group\s+\S+ → Billing/);
      await s.press(KEY.escape);
      await s.waitForText('template: ');
      await s.press(KEY.escape);
      await s.waitForText('reply cancelled: nothing was sent');
      expect((await desk.getTicket(ticket.id)).updated_at).toBe(ticket.updated_at);
      s.unmount();
      screen = undefined;

      const { NotFoundError } = await import('../../src/core/errors.js');
      const rt = await mount({ loadQueue: only('macro-back'), loadMacros: async () => { throw new NotFoundError('Request Tracker has no macros'); } });
      await rt.press('r');
      const picker = await rt.waitForText('all templates');
      expect(picker).not.toContain("the desk's macros");
      expect(rt.frame()).not.toContain('macros are not offered');
    });
  });

  it('gives a long error both status lines, so the reason is not cut off', async () => {
    const s = await mount({ size: { columns: 80, rows: 24 } });
    const reason = 'the desk rejected PUT /api/v2/tickets/1 (422 Unprocessable Entity): Status: closed prevents ticket update';
    s.controller.dispatch({ type: 'status', status: { text: reason, tone: 'error' } });
    await s.waitForText('Status: closed', 'the error on the screen');
    const lines = s.frame().split('\n');
    expect(`${lines.at(-2)!.trim()} ${lines.at(-1)!.trim()}`).toBe(`error: ${reason}`);
  });

  it('quits with q', async () => {
    const s = await mount();
    await s.press('q');
    await waitFor(() => s.quitCalls === 1, 'the quit');
  });
});
