/**
 * The Zendesk-syntax -> TicketSQL translator of the Request Tracker adapter: the queries the
 * services build (src/core/ticket-query.ts) and the terms RT cannot search.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { buildTicketQuery } from '../../src/core/ticket-query.js';
import { rtInstant, sqlString, toTicketSql, tokenize } from '../../src/api/rt/ticketsql.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const sql = (q: string) => toTicketSql(q, { now: NOW }).query;

function usage(q: string): UsageError {
  try {
    toTicketSql(q, { now: NOW });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`no error for ${q}`);
}

describe('toTicketSql: what the services build', () => {
  it('translates the default ticket list (unsolved) to RT active statuses', () => {
    expect(sql(buildTicketQuery({}))).toBe("Status = '__Active__'");
  });

  it('translates a full filter set: status, priority, assignee, group, tags and words', () => {
    const q = buildTicketQuery({ status: 'open', priority: 'high', assignee: 'me', group: 'Billing', tags: ['vip'], query: 'refund' });
    expect(q).toBe('type:ticket status:open priority:high assignee:me group:Billing tags:vip refund');
    const out = toTicketSql(q, { now: NOW });
    expect(out.usesTags).toBe(true);
    expect(out.query).toBe(
      "(Subject LIKE 'refund' OR Content LIKE 'refund') AND Status = 'open' AND (Priority >= 100 AND Priority < 150) " +
        "AND Owner = '__CurrentUser__' AND Queue = 'Billing' AND 'CF.{Tags}' = 'vip'",
    );
  });

  it('maps assignee none, ids, emails and names', () => {
    expect(sql('assignee:none')).toBe("Owner = 'Nobody'");
    expect(sql('assignee:27')).toBe('Owner = 27');
    expect(sql('assignee:dee@example.com')).toBe("Owner.EmailAddress = 'dee@example.com'");
    expect(sql(buildTicketQuery({ status: 'any', assignee: 'Dee Agent' }))).toBe("Owner.RealName = 'Dee Agent'");
    expect(sql('-assignee:me')).toBe("Owner != '__CurrentUser__'");
  });

  it('maps groups by name or id, and requesters', () => {
    expect(sql('group:3')).toBe('Queue = 3');
    expect(sql('group:"Second line"')).toBe("Queue = 'Second line'");
    expect(sql('requester:a@b.test')).toBe("Requestor.EmailAddress = 'a@b.test'");
    expect(sql('requester:41')).toBe('Requestor.id = 41');
    expect(sql('submitter:me')).toBe("Creator = '__CurrentUser__'");
  });

  it('says any status and no filter as all tickets', () => {
    expect(sql(buildTicketQuery({ status: 'any' }))).toBe('id > 0');
    expect(sql('')).toBe('id > 0');
  });
});

describe('toTicketSql: statuses and priorities', () => {
  it('maps each status to the RT statuses read as it', () => {
    expect(sql('status:new')).toBe("Status = 'new'");
    expect(sql('status:pending')).toBe("Status = 'stalled'");
    expect(sql('status:hold')).toBe("Status = 'stalled'");
    expect(sql('status:solved')).toBe("Status = 'resolved'");
    expect(sql('status:closed')).toBe("Status = 'rejected'");
  });

  it('turns comparisons into the set of statuses they name', () => {
    expect(sql('status<solved')).toBe("Status = '__Active__'");
    expect(sql('status>=solved')).toBe("Status = '__Inactive__'");
    expect(sql('status>open')).toBe("(Status = 'stalled' OR Status = 'resolved' OR Status = 'rejected')");
    expect(sql('status<=open')).toBe("(Status = 'new' OR Status = 'open')");
    expect(sql('-status:open')).toBe("(Status = 'new' OR Status = 'stalled' OR Status = 'resolved' OR Status = 'rejected')");
  });

  it('ORs several terms on one field, as Zendesk does', () => {
    expect(sql('status:open status:pending')).toBe("(Status = 'open' OR Status = 'stalled')");
    expect(sql('tags:a tag:b')).toBe("('CF.{Tags}' = 'a' OR 'CF.{Tags}' = 'b')");
    // pending and hold are both RT's stalled: said once
    expect(sql('status:pending status:hold')).toBe("Status = 'stalled'");
  });

  it('maps priorities to ranges of RT numbers', () => {
    expect(sql('priority:low')).toBe('Priority < 50');
    expect(sql('priority:normal')).toBe('(Priority >= 50 AND Priority < 100)');
    expect(sql('priority:urgent')).toBe('Priority >= 150');
    expect(sql('priority>normal')).toBe('Priority >= 100');
    expect(sql('priority>=normal')).toBe('Priority >= 50');
    expect(sql('priority<high')).toBe('Priority < 100');
    expect(sql('priority<=high')).toBe('Priority < 150');
    expect(sql('priority<low')).toBe('id = 0');
    expect(sql('-priority:normal')).toBe('(Priority < 50 OR Priority >= 100)');
  });
});

describe('toTicketSql: times, tags, words', () => {
  it('writes times relative to RT\'s now, so the agent\'s RT time zone cannot shift them', () => {
    expect(sql('created>7days')).toBe("Created >= 'now - 604799 seconds'");
    expect(sql('updated<24hours')).toBe("LastUpdated < 'now - 86400 seconds'");
    // a whole UTC day
    expect(sql('created:2026-11-24')).toBe("(Created >= 'now - 129600 seconds' AND Created < 'now - 43200 seconds')");
    expect(sql('solved>=2026-11-25T11:00:00Z')).toBe("(Resolved IS NOT NULL AND Resolved >= 'now - 3600 seconds')");
    expect(rtInstant(NOW / 1000 + 60, NOW / 1000)).toBe("'now + 60 seconds'");
  });

  it('maps tags to the Tags custom field', () => {
    expect(sql('tags:none')).toBe("'CF.{Tags}' IS NULL");
    expect(sql('-tags:spam')).toBe("'CF.{Tags}' != 'spam'");
    expect(sql('tags:ref*')).toBe("'CF.{Tags}' LIKE 'ref'");
    expect(toTicketSql('status:open', { now: NOW }).usesTags).toBe(false);
  });

  it('matches words in subject or content, a number also as an id, and quotes safely', () => {
    expect(sql('"double charge"')).toBe("(Subject LIKE 'double charge' OR Content LIKE 'double charge')");
    expect(sql('1182')).toBe("(id = 1182 OR Subject LIKE '1182' OR Content LIKE '1182')");
    expect(sql("O'Brien")).toBe("(Subject LIKE 'O\\'Brien' OR Content LIKE 'O\\'Brien')");
    expect(sql('-spam')).toBe("Subject NOT LIKE 'spam'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
  });

  it('reads order_by and sort', () => {
    const out = toTicketSql('order_by:created sort:asc status:open', { now: NOW });
    expect(out).toMatchObject({ sortBy: 'created_at', sortOrder: 'asc', query: "Status = 'open'" });
  });

  it('tokenizes quotes and negation like the Zendesk dialect', () => {
    expect(tokenize('-tags:a group:"Second line" "two words"')).toEqual([
      { negate: true, field: 'tags', op: ':', value: 'a', text: '-tags:a' },
      { negate: false, field: 'group', op: ':', value: 'Second line', text: 'group:"Second line"' },
      { negate: false, field: null, op: ':', value: 'two words', text: '"two words"' },
    ]);
  });
});

describe('toTicketSql: what RT cannot search', () => {
  it('names the term and says what RT lacks', () => {
    expect(usage('status:open organization:acme').message).toBe('Request Tracker has no organizations: cannot search "organization:acme"');
    expect(usage('via:email').message).toContain('"via:email"');
    expect(usage('ticket_type:incident').message).toBe(
      'Request Tracker has no ticket types (problem, incident, question, task): cannot search "ticket_type:incident"',
    );
    expect(usage('satisfaction:good').message).toBe('Request Tracker has no satisfaction ratings: cannot search "satisfaction:good"');
  });

  it('refuses unknown fields, other types and values that cannot match', () => {
    const unknown = usage('flavour:vanilla');
    expect(unknown.message).toBe('deskops cannot search Request Tracker by "flavour:vanilla": unknown field "flavour"');
    expect(unknown.hint).toContain('status');
    expect(usage('type:user').message).toContain('"type:user"');
    expect(usage('group:none').message).toContain('"group:none"');
    expect(usage('priority:none').message).toContain('"priority:none"');
    expect(usage('status:waiting').message).toContain('unknown status "waiting"');
    expect(usage('created>soon').message).toContain('"soon" is not a date');
    expect(usage('assignee>3').message).toContain('only supports ":"');
  });
});
