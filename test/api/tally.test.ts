import { describe, expect, it } from 'vitest';
import { RequestTally, costLine, endpointOf } from '../../src/api/tally.js';

describe('request tally', () => {
  it('names endpoints without host, version, query or ids', () => {
    expect(endpointOf('http://127.0.0.1:4000/api/v2/tickets/246/comments.json?page[size]=100')).toBe('tickets/:id/comments');
    expect(endpointOf('https://acme.zendesk.com/api/v2/search/export?query=x')).toBe('search/export');
    expect(endpointOf('https://acme.zendesk.com/api/v2/tickets/show_many?ids=1,2')).toBe('tickets/show_many');
  });

  it('counts by endpoint, most first, since a mark, in one line with the account budget', () => {
    const tally = new RequestTally();
    tally.record('http://h/api/v2/tickets/1/comments');
    const mark = tally.mark();
    tally.record('http://h/api/v2/search/export?q');
    tally.record('http://h/api/v2/tickets/2/comments');
    tally.record('http://h/api/v2/tickets/3/comments');
    expect(tally.since()).toEqual({ total: 4, byEndpoint: [['tickets/:id/comments', 3], ['search/export', 1]] });
    expect(tally.since(mark).total).toBe(3);
    expect(costLine(tally.since(mark), { limit: 700, remaining: 650, seenAt: 1 })).toBe(
      "3 requests (tickets/:id/comments 2, search/export 1); 3 of the account's 700 a minute, 650 left",
    );
    expect(costLine({ total: 1, byEndpoint: [['tickets', 1]] })).toBe('1 request (tickets 1)');
  });
});
