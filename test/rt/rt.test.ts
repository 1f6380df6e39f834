/**
 * deskops against a real Request Tracker 5 (test/rt/setup-rt.sh starts one and writes RT_URL
 * and RT_TOKEN to $RT_ENV_FILE). The CLI runs end to end through main() with an rt profile
 * made by `profile add --kind rt --token-stdin` in a temp DESKOPS_HOME; what it says is checked
 * against RT's own REST2 answers. Without RT_ENV_FILE, or when RT does not answer, the suite
 * is reported as skipped with the reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk, Ticket, TicketUpdate } from '../../src/api/helpdesk.js';
import type { TicketAudit } from '../../src/core/model.js';
import { withoutOwnTraffic } from '../../src/core/kpi/own-traffic.js';
import { toKpiMetricSet } from '../../src/core/kpi/rules.js';
import { ApiError } from '../../src/core/errors.js';
import { classifyItemError } from '../../src/services/bulk/executor.js';
import { ConfigStore } from '../../src/config/store.js';
import { remoteConnection } from '../../src/config/connection.js';

interface RtEnv {
  url: string;
  token: string;
}

/** RT from $RT_ENV_FILE when it answers with the token; else why not. */
async function findRt(): Promise<{ rt: RtEnv } | { reason: string }> {
  const file = process.env.RT_ENV_FILE;
  if (!file) return { reason: 'RT_ENV_FILE is not set (run test/rt/setup-rt.sh)' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { reason: `cannot read RT_ENV_FILE ${file}: ${(err as Error).message}` };
  }
  const vars = Object.fromEntries(text.split('\n').flatMap((line) => {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    return m ? [[m[1]!, m[2]!]] : [];
  }));
  const url = vars.RT_URL;
  const token = vars.RT_TOKEN;
  if (!url || !token) return { reason: `${file} has no RT_URL or RT_TOKEN` };
  try {
    const res = await fetch(`${url}/REST/2.0/rt`, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return { reason: `Request Tracker at ${url} answered ${res.status}` };
  } catch (err) {
    return { reason: `Request Tracker at ${url} is not reachable: ${(err as Error).message}` };
  }
  return { rt: { url, token } };
}

const found = await findRt();
const rt = 'rt' in found ? found.rt : undefined;
const suiteName = rt ? 'Request Tracker 5 end to end' : `Request Tracker 5 end to end (skipped: ${'reason' in found ? found.reason : ''})`;

/** RT's own transactions of a ticket (id, Type, Field, NewValue), oldest first. */
async function rtHistory(id: number): Promise<Array<{ id: string; Type: string; Field: string; NewValue: string }>> {
  const body = await rtGet(`/ticket/${id}/history?fields=Type,Field,NewValue&per_page=100&orderby=id&order=ASC`);
  return body.items as Array<{ id: string; Type: string; Field: string; NewValue: string }>;
}

/** RT's own view of a record, bypassing deskops. */
async function rtGet(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${rt!.url}/REST/2.0${path}`, { headers: { authorization: `token ${rt!.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe.skipIf(!rt)(suiteName, () => {
  const run = randomUUID().slice(0, 8);
  let home: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  let desk: HelpDesk;
  let mine: Ticket;

  beforeAll(async () => {
    ({ home, cleanup } = tempHome('deskops-rt-'));
    const add = await runCli(['profile', 'add', 'rt1', '--kind', 'rt', '--url', rt!.url, '--token-stdin'], {
      env: { DESKOPS_HOME: home },
      stdin: `${rt!.token}\n`,
    });
    expect(add.stderr).toContain('added profile rt1');
    expect(add.code).toBe(0);
    env = { DESKOPS_HOME: home, DESKOPS_PROFILE: 'rt1', DESKOPS_URL: rt!.url, DESKOPS_TOKEN: rt!.token };

    const store = await ConfigStore.open(home);
    const profile = store.getProfile('rt1')!;
    const connection = remoteConnection(profile, store.secretFor('rt1'));
    expect(connection).toEqual({ kind: 'rt', url: rt!.url, auth: { type: 'rt-token', token: rt!.token }, profile: 'rt1' });
    desk = await createHelpDesk(connection);
    mine = await desk.createTicket({
      subject: `deskops e2e ${run}: printer offline`,
      comment: { body: `The office printer went offline (run ${run}).` },
      requester: { name: 'Ines Customer', email: `ines-${run}@customer.test` },
      priority: 'normal',
    });
  });
  afterAll(() => cleanup?.());

  it('made the ticket in RT as asked', async () => {
    expect(mine).toMatchObject({ status: 'new', priority: 'normal', description: `The office printer went offline (run ${run}).`, via: { channel: 'api' } });
    const own = await rtGet(`/ticket/${mine.id}`);
    expect(own).toMatchObject({ Subject: `deskops e2e ${run}: printer offline`, Status: 'new', Priority: '50' });
  });

  it('ticket list: unsolved tickets, newest first, with names', async () => {
    // --limit: an RT that has run these tests before holds more than a page of their tickets.
    const r = await runCli(['ticket', 'list', '--limit', '1000'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('id\tstatus\tpriority\tsubject\trequester\tassignee\tgroup\tupdated');
    expect(lines[1]).toContain(`deskops e2e ${run}`);
    expect(lines[1]).toContain('Ines');
    expect(r.stdout).toContain('Refund for a double charge on invoice 1182');
    expect(r.stdout).not.toContain('Thanks, all working now'); // resolved: not unsolved
  });

  it('ticket list --json: a JSON array in Zendesk shapes, filtered in TicketSQL', async () => {
    const r = await runCli(['ticket', 'list', '--json', '--limit', '100'], { env });
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(items)).toBe(true);
    for (const t of items) {
      expect(typeof t.id).toBe('number');
      expect(['new', 'open', 'pending', 'hold']).toContain(t.status);
    }
    const own = items.find((t) => t.id === mine.id);
    expect(own).toMatchObject({ status: 'new', priority: 'normal', requester_email: `ines-${run}@customer.test`, group_name: 'General', assignee_id: null });

    const refund = JSON.parse((await runCli(['ticket', 'list', '--json', '--status', 'any', '--tag', 'refund', '--group', 'Billing'], { env })).stdout);
    expect(refund.length).toBeGreaterThan(0);
    for (const t of refund) {
      expect(t.tags).toContain('refund');
      expect(t.group_name).toBe('Billing');
    }
    const urgent = JSON.parse((await runCli(['ticket', 'list', '--json', '--priority', 'urgent', '--assignee', 'agent@deskops.test'], { env })).stdout);
    expect(urgent.map((t: Ticket) => t.subject)).toContain('Cannot log in since the password reset');
    for (const t of urgent) expect(t).toMatchObject({ priority: 'urgent', assignee_name: 'Dee Agent' });

    const recent = JSON.parse((await runCli(['ticket', 'list', '--json', '--status', 'any', '--query', `created>1hours ${run}`], { env })).stdout);
    expect(recent.map((t: Ticket) => t.id)).toEqual([mine.id]);
  });

  it('ticket list refuses a term RT cannot search, naming it', async () => {
    const r = await runCli(['ticket', 'list', '--query', 'organization:acme'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Request Tracker has no organizations: cannot search "organization:acme"');
  });

  it('ticket view: the ticket with its requester and first message', async () => {
    const r = await runCli(['ticket', 'view', String(mine.id)], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`#${mine.id} deskops e2e ${run}: printer offline`);
    expect(r.stdout).toContain(`Ines Customer <ines-${run}@customer.test>`);
    expect(r.stdout).toContain(`The office printer went offline (run ${run}).`);
    const json = JSON.parse((await runCli(['ticket', 'view', String(mine.id), '--json'], { env })).stdout);
    expect(json).toMatchObject({ id: mine.id, status: 'new', group: { name: 'General' }, requester: { email: `ines-${run}@customer.test` } });
    expect(json.comments).toHaveLength(1);
    expect(json.metrics).toMatchObject({ ticket_id: mine.id, replies: 0 });

    const missing = await runCli(['ticket', 'view', '99999999'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ticket 99999999 not found');
  });

  it('ticket update --status pending --reply: a public correspondence, and the ticket stalled in RT', async () => {
    const reply = `We are looking into it (run ${run}).`;
    const r = await runCli(['ticket', 'update', String(mine.id), '--status', 'pending', '--reply', reply], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`updated #${mine.id}: pending · normal · reply sent`);

    const view = JSON.parse((await runCli(['ticket', 'view', String(mine.id), '--json'], { env })).stdout);
    expect(view.status).toBe('pending');
    const sent = view.comments.find((c: { body: string }) => c.body === reply);
    expect(sent).toMatchObject({ public: true, author_name: 'Dee Agent' });
    expect(view.metrics.replies).toBe(1);

    expect((await rtGet(`/ticket/${mine.id}`)).Status).toBe('stalled');
    const history = await rtGet(`/ticket/${mine.id}/history?fields=Type&per_page=100`);
    expect((history.items as Array<{ Type: string }>).map((t) => t.Type)).toContain('Correspond');
  });

  it('ticket update --note: an RT comment, not public', async () => {
    const note = `Printer model is HX-200 (run ${run}).`;
    const r = await runCli(['ticket', 'update', String(mine.id), '--note', note, '--priority', 'high'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`updated #${mine.id}: pending · high · note added`);

    const view = JSON.parse((await runCli(['ticket', 'view', String(mine.id), '--json'], { env })).stdout);
    expect(view.comments.find((c: { body: string }) => c.body === note)).toMatchObject({ public: false });
    const publicOnly = JSON.parse((await runCli(['ticket', 'view', String(mine.id), '--json', '--public-only'], { env })).stdout);
    expect(publicOnly.comments.map((c: { body: string }) => c.body)).not.toContain(note);

    const history = await rtGet(`/ticket/${mine.id}/history?fields=Type&per_page=100`);
    expect((history.items as Array<{ Type: string }>).map((t) => t.Type)).toContain('Comment');
    expect((await rtGet(`/ticket/${mine.id}`)).Priority).toBe('100');
  });

  it('ticket update --assign by name and --tag write RT owner and the Tags field', async () => {
    const r = await runCli(['ticket', 'update', String(mine.id), '--assign', 'Sam Second', '--tag', `e2e-${run}`, '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: mine.id, assignee_name: 'Sam Second', tags: [`e2e-${run}`] });
    const own = await rtGet(`/ticket/${mine.id}`);
    expect((own.Owner as { id: string }).id).toBe('sam');
    const tagged = JSON.parse((await runCli(['ticket', 'list', '--json', '--tag', `e2e-${run}`], { env })).stdout);
    expect(tagged.map((t: Ticket) => t.id)).toEqual([mine.id]);
  });

  it('ticket update --group moves the ticket to another RT queue; custom fields are written by id', async () => {
    const r = await runCli(['ticket', 'update', String(mine.id), '--group', 'Billing', '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: mine.id, group_name: 'Billing' });
    expect(((await rtGet(`/ticket/${mine.id}?fields[Queue]=Name`)).Queue as { Name: string }).Name).toBe('Billing');

    const product = (await desk.listTicketFields()).find((f) => f.title === 'Product')!;
    const t = await desk.updateTicket(mine.id, { custom_fields: [{ id: product.id, value: 'Scanner' }] });
    expect(t.custom_fields).toContainEqual({ id: product.id, value: 'Scanner' });
    // Not one of the field's values: RT says so in a 200 answer.
    const bad = await desk.updateTicket(mine.id, { custom_fields: [{ id: product.id, value: 'Toaster' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).message).toContain(`did not apply custom field ${product.id} to ticket ${mine.id}`);
  });

  it('reads RT\'s "200, but it failed" answer as a failure with RT\'s message', async () => {
    // A customer cannot own tickets: RT answers 200 with a message saying so.
    const err = await desk.updateTicket(mine.id, { assignee_id: mine.requester_id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(new RegExp(`^Request Tracker did not apply assignee ${mine.requester_id} to ticket ${mine.id}: .+`));
  });

  it('bulk update: per-ticket updates as a completed job with a result per ticket', async () => {
    const make = (n: number) =>
      desk.createTicket({ subject: `deskops e2e ${run}: bulk ${n}`, comment: { body: `bulk ${n}` }, requester: { name: 'Bulk', email: `bulk-${run}@customer.test` } });
    const [a, b] = [await make(1), await make(2)];
    const job = await desk.updateMany({
      tickets: [
        { id: a.id, status: 'solved', priority: 'high' },
        { id: b.id, additional_tags: ['bulk', `e2e-${run}`], comment: { body: 'Bulk note', public: false } },
        { id: 99999999, status: 'open' },
      ],
    });
    expect(job).toMatchObject({ status: 'completed', total: 3, progress: 3 });
    expect(job.results).toEqual([
      expect.objectContaining({ id: a.id, index: 0, success: true }),
      expect.objectContaining({ id: b.id, index: 1, success: true }),
      expect.objectContaining({ id: 99999999, index: 2, success: false, details: 'ticket 99999999 not found' }),
    ]);
    await expect(desk.waitForJob(job.id)).resolves.toEqual(job);

    const [ra, rb] = await Promise.all([rtGet(`/ticket/${a.id}`), desk.getTicket(b.id)]);
    expect(ra).toMatchObject({ Status: 'resolved', Priority: '100' });
    expect(rb.tags.sort()).toEqual(['bulk', `e2e-${run}`].sort());
    const thread: string[] = [];
    for await (const c of desk.listComments(b.id)) if (!c.public) thread.push(c.body);
    expect(thread).toEqual(['Bulk note']);
  });

  it('incremental export: changed tickets in order, with metrics and a cursor that resumes', async () => {
    const since = Math.floor(Date.now() / 1000) - 3600;
    const seen: Ticket[] = [];
    let cursor = '';
    let metrics = 0;
    for await (const page of desk.incrementalTickets({ startTime: since }, { pageSize: 2 })) {
      seen.push(...page.tickets);
      metrics += page.metric_sets.length;
      cursor = page.after_cursor ?? cursor;
    }
    const ids = seen.map((t) => t.id);
    expect(ids).toContain(mine.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(metrics).toBe(seen.length);
    const times = seen.map((t) => Date.parse(t.updated_at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(seen.find((t) => t.id === mine.id)?.description).toBe(`The office printer went offline (run ${run}).`);

    // Nothing changed since the cursor: the next read from it is empty.
    const again = [];
    for await (const page of desk.incrementalTickets({ cursor }, { pageSize: 2 })) again.push(...page.tickets);
    expect(again.map((t) => t.id)).toEqual([]);
  });

  it('queue: the agent\'s unsolved tickets ranked by urgency', async () => {
    const r = await runCli(['queue', '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: number; subject: string; priority: string; urgency: number }>;
    const login = rows.find((t) => t.subject === 'Cannot log in since the password reset');
    expect(login).toMatchObject({ priority: 'urgent' });
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.urgency).toBeGreaterThanOrEqual(rows[i]!.urgency);
    const all = await runCli(['queue', '--view', 'all', '--limit', '1000', '--plain'], { env }); // an RT used before holds many
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toBe('urgency\tsla\tid\tpriority\tsubject\trequester\tage\treasons');
    expect(all.stdout).toContain(`deskops e2e ${run}: printer offline`);
  });

  it('reply send --template: one public correspondence on RT with the template\'s text and tags', async () => {
    const t = await desk.createTicket({
      subject: `deskops e2e ${run}: slow answer`,
      comment: { body: 'Nobody answered for a week.' },
      requester: { name: 'Jo Customer', email: `jo-${run}@customer.test` },
    });
    const before = (await rtHistory(t.id)).filter((x) => x.Type === 'Correspond').length;
    const r = await runCli(['reply', 'send', String(t.id), '--template', 'apology-delay', '--yes', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const sent = JSON.parse(r.stdout) as { ticket_id: number; public: boolean; body: string };
    expect(sent).toMatchObject({ ticket_id: t.id, public: true });
    expect(sent.body).toContain('Hi Jo');
    const history = await rtHistory(t.id);
    expect(history.filter((x) => x.Type === 'Correspond')).toHaveLength(before + 1);
    expect(history.some((x) => x.Type === 'CustomField' && x.NewValue === 'apologised')).toBe(true);
    const view = JSON.parse((await runCli(['ticket', 'view', String(t.id), '--json'], { env })).stdout);
    expect(view.comments.at(-1)).toMatchObject({ public: true, author_name: 'Dee Agent', body: sent.body });
  });

  describe('sweep run: each follow-up exactly once, counted on RT\'s history', () => {
    let rules: string;
    let ids: number[];
    const messages = async (id: number) => (await rtHistory(id)).filter((x) => x.Type === 'Correspond' || x.Type === 'Comment');

    beforeAll(async () => {
      rules = join(home, `sweep-${run}.yml`);
      writeFileSync(
        rules,
        [
          'rules:',
          '  - name: e2e_check',
          '    when: { status: [new, open], tags: [sweep-' + run + '] }',
          '    then: { template: followup-check-in, status: pending, tags: [swept] }',
          '  - name: e2e_note',
          '    when: { tags: [sweep_e2e_check] }',
          '    then: { note: "Sweep note for #{{ ticket.id }}" }',
          '',
        ].join('\n'),
      );
      ids = [];
      for (const n of [1, 2]) {
        const t = await desk.createTicket({
          subject: `deskops e2e ${run}: sweep ${n}`,
          comment: { body: `sweep ${n}` },
          // two customers: one customer would get one automated message a day (contact.window_hours)
          requester: { name: `Kim Customer ${n}`, email: `kim-${n}-${run}@customer.test` },
          tags: [`sweep-${run}`],
        });
        ids.push(t.id);
      }
    });

    it('the first run sends a reply (with its marker and status) and then a note to each ticket', async () => {
      const plan = JSON.parse((await runCli(['sweep', 'plan', '--rules', rules, '--json'], { env })).stdout) as { rules: Array<{ rule: string; planned: number }> };
      expect(plan.rules.map((x) => [x.rule, x.planned])).toEqual([['e2e_check', 2], ['e2e_note', 2]]);
      const r = await runCli(['sweep', 'run', '--rules', rules, '--yes', '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ sent: 4, skipped: 0, failed: 0 });
      for (const id of ids) {
        const history = await rtHistory(id);
        const types = history.filter((x) => x.Type === 'Correspond' || x.Type === 'Comment').map((x) => x.Type);
        expect(types).toEqual(['Correspond', 'Comment']);
        // The marker is stored after the reply it stands for, in the same request.
        const reply = history.findIndex((x) => x.Type === 'Correspond');
        const marker = history.findIndex((x) => x.Type === 'CustomField' && x.NewValue === 'sweep_e2e_check');
        expect(marker).toBeGreaterThan(reply);
        expect((await rtGet(`/ticket/${id}`)).Status).toBe('stalled');
      }
    });

    it('the second run sends nothing: RT\'s history of the tickets does not change', async () => {
      const before = await Promise.all(ids.map(rtHistory));
      const r = await runCli(['sweep', 'run', '--rules', rules, '--yes', '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ sent: 0, failed: 0 });
      expect(await Promise.all(ids.map(rtHistory))).toEqual(before);
      for (const id of ids) expect(await messages(id)).toHaveLength(2);
    });

    it('one customer with a follow-up due on two tickets gets one; the other waits, and the plan says why', async () => {
      const mine: number[] = [];
      for (const n of [3, 4]) {
        const t = await desk.createTicket({
          subject: `deskops e2e ${run}: contact ${n}`,
          comment: { body: `contact ${n}` },
          requester: { name: 'Lee Customer', email: `lee-${run}@customer.test` },
          tags: [`sweep-${run}`],
        });
        mine.push(t.id);
      }
      const plan = JSON.parse((await runCli(['sweep', 'plan', '--rules', rules, '--json'], { env })).stdout) as {
        rules: Array<{ rule: string; ticket_ids: number[] }>;
        waiting: Array<{ ticket_id: number; rule: string; reason: string }>;
      };
      expect(plan.rules.find((x) => x.rule === 'e2e_check')!.ticket_ids).toEqual([mine[0]]);
      expect(plan.waiting).toEqual([
        { ticket_id: mine[1], rule: 'e2e_check', reason: expect.stringMatching(new RegExp(`^waits: the customer gets the follow-up e2e_check on #${mine[0]} in this run`)) },
      ]);
      const r = await runCli(['sweep', 'run', '--rules', rules, '--yes', '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      // the next plan reads the message just sent from RT's history: the second ticket still waits
      const again = JSON.parse((await runCli(['sweep', 'plan', '--rules', rules, '--json'], { env })).stdout) as typeof plan;
      expect(again.waiting.map((w) => [w.ticket_id, w.reason.replace(/\d+ min ago/, 'N min ago')])).toEqual([
        [mine[1], `waits: the customer got the follow-up e2e_check on #${mine[0]} N min ago; one automated message per 24 h (contact.window_hours)`],
      ]);
    });

    it('a resend against a ticket that changed since is refused as a conflict and writes nothing', async () => {
      const [id] = ids;
      const stale = (await desk.getTicket(id!)).updated_at;
      // RT keeps LastUpdated to the second (docs/rt.md): a change within the same second as the
      // read cannot be told apart, so the other change comes in the next second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await desk.updateTicket(id!, { priority: 'high' }); // someone else's change
      const before = await rtHistory(id!);
      const job = await desk.updateMany({
        tickets: [{ id: id!, comment: { body: 'late resend', public: true }, additional_tags: ['sweep_late'], safe_update: true, updated_stamp: stale } as TicketUpdate & { id: number }],
      });
      expect(job.results).toEqual([expect.objectContaining({ id, success: false, error: 'Conflict' })]);
      expect(classifyItemError(job.results![0]!)).toBe('conflict');
      expect(await rtHistory(id!)).toEqual(before);
    });
  });

  it('survey send: one NPS survey on a resolved RT ticket, none the second time; report reads it back', async () => {
    const t = await desk.createTicket({
      subject: `deskops e2e ${run}: survey`,
      comment: { body: 'it works now' },
      requester: { name: 'Sam Customer', email: `sam-${run}@customer.test` },
    });
    await desk.updateTicket(t.id, { status: 'solved', comment: { body: 'Glad it works.', public: true } });
    const corresponds = async () => (await rtHistory(t.id)).filter((x) => x.Type === 'Correspond').length;
    const before = await corresponds();
    const first = await runCli(['survey', 'send', '--type', 'nps', '--ticket', String(t.id), '--yes', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ eligible: 1, sent: 1, failed: 0 });
    expect(await corresponds()).toBe(before + 1);
    expect((await rtGet(`/ticket/${t.id}`)).Status).toBe('resolved');
    const second = await runCli(['survey', 'send', '--type', 'nps', '--ticket', String(t.id), '--yes', '--json'], { env });
    expect(JSON.parse(second.stdout)).toMatchObject({ eligible: 0, sent: 0, skips: [{ ticket_id: t.id, reason: 'already surveyed (NPS)' }] });
    expect(await corresponds()).toBe(before + 1);
    const report = await runCli(['survey', 'report', '--json'], { env });
    expect(report.code, report.stderr).toBe(0);
    const parsed = JSON.parse(report.stdout) as { rows: Array<{ type: string; sent: number }>; ratings: unknown };
    expect(parsed.rows.find((r) => r.type === 'nps')?.sent).toBeGreaterThanOrEqual(1);
    expect(parsed.ratings).toBeNull(); // RT has no satisfaction ratings

    // The survey is deskops' own message: its audit (the correspondence with the Tags values it
    // added) is recognised, and the ticket's metrics count one reply, the person's.
    const audits: TicketAudit[] = [];
    for await (const a of desk.listAudits(t.id)) audits.push(a);
    const own = audits.filter((a) => a.events.some((e) => e.type === 'Change' && (e as { field_name?: string }).field_name === 'tags' && JSON.stringify((e as { value?: unknown }).value).includes('survey_nps_sent')));
    expect(own).toHaveLength(1);
    expect(own[0]!.events.some((e) => e.type === 'Comment' && (e as { public?: boolean }).public)).toBe(true);
    const metric = (await desk.getTicketMetrics(t.id))!;
    expect(metric.replies).toBe(2);
    const ticket = await desk.getTicket(t.id);
    const fixed = withoutOwnTraffic({
      metrics: toKpiMetricSet(metric),
      createdAt: Date.parse(ticket.created_at) / 1000,
      status: ticket.status,
      requesterId: ticket.requester_id,
      audits,
      businessMinutes: () => 0,
    });
    expect(fixed.metrics.replies).toBe(1);
    // RT reopened the resolved ticket for the survey and deskops resolved it again: not a reopen,
    // and the resolution stays the person's
    expect(metric.reopens).toBe(1);
    expect(fixed.metrics.reopens).toBe(0);
    const personSolved = audits.find((a) => a.events.some((e) => (e as { value?: unknown }).value === 'solved'))!;
    expect(fixed.metrics.solvedAt).toBe(Date.parse(personSolved.created_at) / 1000);
  });

  it('view list offers RT\'s saved searches as views, queue --view ranks one, and macros are refused', async () => {
    const list = await runCli(['view', 'list', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    const views = JSON.parse(list.stdout) as Array<{ id: number; title: string }>;
    const unowned = views.find((v) => v.title === 'Newest unowned tickets');
    expect(unowned, list.stdout).toBeDefined();
    const q = await runCli(['queue', '--view', 'Newest unowned tickets', '--json', '--limit', '50'], { env });
    expect(q.code, q.stderr).toBe(0);
    const ranked = JSON.parse(q.stdout) as Array<{ id: number; urgency: number }>;
    expect(ranked.length).toBeGreaterThan(0);
    // every ticket ranked is one RT's own search finds: unowned and active
    for (const item of ranked.slice(0, 5)) {
      const t = await rtGet(`/ticket/${item.id}`);
      expect((t.Owner as { id?: string } | undefined)?.id ?? t.Owner).toBe('Nobody');
    }
    const macros = await runCli(['macro', 'list'], { env });
    expect(macros.code).toBe(1);
    expect(macros.stderr).toMatch(/Request Tracker has no macros/);
  });

  it('kpi: computed from RT\'s transactions, and a note for each metric RT has no data for', async () => {
    const r = await runCli(['kpi', '--since', '1d', '--no-cache', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('satisfaction ratings are not available on this desk');
    const kpi = JSON.parse(r.stdout) as Record<string, { value: unknown; n: number; note?: string }>;
    expect(kpi.created!.n).toBeGreaterThan(0);
    expect(kpi.first_reply_time!.n).toBeGreaterThan(0); // the replies above, from Correspond transactions
    expect(kpi.solved!.n).toBeGreaterThan(0); // the bulk test resolved one
    expect(kpi.backlog!.value).toBeGreaterThan(0);
    expect(kpi.aht).toMatchObject({ value: null, note: expect.stringContaining('Total time spent (sec)') });
    expect(kpi.churn_rate).toMatchObject({ value: null, note: expect.stringContaining('no customers (organizations)') });
    expect(kpi.csat).toMatchObject({ value: null, note: expect.stringContaining('satisfaction ratings') });
  });

  it('what RT lacks is said plainly', async () => {
    const ratings = await desk.listSatisfactionRatings()[Symbol.asyncIterator]().next().catch((e: unknown) => e);
    expect((ratings as Error).message).toBe('Request Tracker has no satisfaction ratings');
    const groups = await desk.listGroups();
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['General', 'Billing']));
    const fields = await desk.listTicketFields();
    expect(fields.map((f) => f.title)).toEqual(expect.arrayContaining(['Tags', 'Product']));
    const bh = await runCli(['kpi', '--business-hours', '--no-cache'], { env });
    expect(bh.code).toBe(2);
    expect(bh.stderr).toContain('Request Tracker keeps no business minutes per ticket');
  });
});
