/**
 * Contract: the Zendesk adapter's show_many with include=slas,metric_sets against the real
 * embedded desk. Every ticket comes back once, in chunks the desk accepts (at most 100 ids),
 * with its SLA targets on it and its metric set joined on, the same as the single-ticket
 * endpoints answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk, Ticket } from '../../src/api/helpdesk.js';
import { startTestDesk, type TestDesk } from '../desk/helpers.js';

let t: TestDesk;
let desk: HelpDesk;
let ids: number[];
const requests: string[] = [];

beforeAll(async () => {
  t = await startTestDesk({ tickets: 260, seed: 4, rateLimit: 100_000 });
  desk = await createHelpDesk(
    { kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email: t.desk.email, token: t.desk.token }, profile: 'test' },
    { logger: (e) => requests.push(`${e.method} ${e.url}`) },
  );
  ids = [];
  for await (const x of desk.listTickets({ pageSize: 100 })) ids.push(x.id);
});
afterAll(() => t?.close());

describe('show_many with sideloads on the embedded desk', () => {
  it('the desk refuses more than 100 ids, so the adapter must chunk', async () => {
    const r = await t.api(`/api/v2/tickets/show_many.json?ids=${ids.slice(0, 101).join(',')}`);
    expect(r.status).toBe(400);
  });

  it('answers include=slas,metric_sets with slas and a metric set on every ticket', async () => {
    const r = await t.api(`/api/v2/tickets/show_many.json?ids=${ids.slice(0, 3).join(',')}&include=slas,metric_sets`);
    expect(r.status).toBe(200);
    for (const x of r.body.tickets as Array<Ticket & Record<string, unknown>>) {
      expect(Array.isArray(x.slas?.policy_metrics)).toBe(true);
      const metric = x.metric_set ?? (r.body.metric_sets as Array<{ ticket_id: number }> | undefined)?.find((m) => m.ticket_id === x.id);
      expect(metric).toMatchObject({ ticket_id: x.id });
    }
  });

  it('gets every ticket with its SLA targets and metric set in N / 100 requests', async () => {
    expect(ids.length).toBe(260);
    requests.length = 0;
    const missing = 99_999_999;
    const tickets = await desk.getTickets([...ids, missing], { include: ['slas', 'metric_sets'] });
    const showMany = requests.filter((r) => r.includes('/api/v2/tickets/show_many'));
    expect(showMany).toHaveLength(3);
    for (const r of showMany) expect(decodeURIComponent(r)).toContain('include=slas,metric_sets');

    expect(tickets.map((x) => x.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const x of tickets) {
      expect(Array.isArray(x.slas?.policy_metrics), `slas of #${x.id}`).toBe(true);
      expect(x.metric_set?.ticket_id, `metric_set of #${x.id}`).toBe(x.id);
    }
    // the demo data has breached SLAs and reopened tickets, and both are visible here
    expect(tickets.some((x) => x.slas!.policy_metrics.some((m) => m.stage === 'active' && m.breach_at))).toBe(true);
    expect(tickets.some((x) => x.metric_set!.reopens > 0)).toBe(true);

    // the same answers as the single-ticket endpoints
    for (const id of [ids[0]!, ids[150]!, ids.at(-1)!]) {
      const one = tickets.find((x) => x.id === id)!;
      const shown = await desk.getTicket(id, { include: ['slas', 'metric_sets'] });
      expect(one.slas).toEqual(shown.slas);
      expect(one.metric_set).toEqual(shown.metric_set);
      expect(one.metric_set).toEqual(await desk.getTicketMetrics(id));
    }
  });

  it('leaves slas and metric_set off when not asked for', async () => {
    const [x] = await desk.getTickets([ids[0]!]);
    expect(x).toBeDefined();
    expect(x).not.toHaveProperty('slas');
    expect(x).not.toHaveProperty('metric_set');
  });
});
