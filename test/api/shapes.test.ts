/**
 * Job status results and ticket metric sets, as Zendesk's reference documents them and as
 * real accounts send them: both read the same.
 */
import { describe, expect, it } from 'vitest';
import type { JobStatus, TicketMetric } from '../../src/api/types.js';
import { jobResultFrom, jobStatusFrom, ticketMetricFrom } from '../../src/api/zendesk/shapes.js';
import { classifyItemError } from '../../src/services/bulk/executor.js';

describe('job status results', () => {
  it('reads the documented success and failure shapes', () => {
    expect(jobResultFrom({ action: 'update', id: 244, status: 'Updated', success: true })).toEqual({ action: 'update', id: 244, status: 'Updated', success: true });
    expect(jobResultFrom({ id: 245, index: 1, error: 'TicketUpdateFailed', details: 'Safe Update prevented the update due to outdated ticket data' })).toEqual({
      id: 245,
      index: 1,
      success: false,
      error: 'TicketUpdateFailed',
      details: 'Safe Update prevented the update due to outdated ticket data',
    });
  });

  it('reads the shapes real answers have: Failed with errors, ids as strings, details as field errors', () => {
    const failed = jobResultFrom({ id: '246', index: 2, action: 'update', status: 'Failed', errors: 'Ticket is closed' });
    expect(failed).toMatchObject({ id: 246, index: 2, success: false, error: 'Ticket is closed' });
    expect(classifyItemError(failed)).toBe('closed');
    const fields = jobResultFrom({ id: 247, success: false, details: { base: [{ description: 'Safe update: the ticket was updated since' }] } });
    expect(fields).toMatchObject({ success: false, error: 'failed', details: 'base: Safe update: the ticket was updated since' });
    expect(classifyItemError(fields)).toBe('conflict');
    expect(jobResultFrom({ id: 248, status: 'Error', errors: [{ message: 'RecordNotFound' }, 'Not found'] })).toMatchObject({ success: false, error: 'RecordNotFound; Not found' });
  });

  it('keeps a job without results as null', () => {
    const job = { id: 'abc', status: 'queued', results: undefined } as unknown as JobStatus;
    expect(jobStatusFrom(job).results).toBeNull();
  });
});

describe('ticket metric sets', () => {
  const documented = {
    id: 1, ticket_id: 7, replies: 2, reopens: 1, solved_at: '2026-11-02T10:00:00Z',
    reply_time_in_minutes: { calendar: 120, business: 60 },
    full_resolution_time_in_minutes: { calendar: 2880, business: 960 },
  } as unknown as TicketMetric;

  it('reads the documented minutes as they are', () => {
    const m = ticketMetricFrom(documented);
    expect(m.reply_time_in_minutes).toEqual({ calendar: 120, business: 60 });
    expect(m.full_resolution_time_in_minutes).toEqual({ calendar: 2880, business: 960 });
    expect(m.on_hold_time_in_minutes).toEqual({ calendar: null, business: null });
    expect([m.replies, m.reopens]).toEqual([2, 1]);
  });

  it('reads durations given only in seconds, and counts given as strings', () => {
    const m = ticketMetricFrom({
      id: 2, ticket_id: '8', replies: '3', reopens: null, solved_at: null,
      reply_time_in_seconds: { calendar: 7200 },
      full_resolution_time_in_minutes: { calendar: '2880', business: null },
    } as unknown as TicketMetric);
    expect(m.ticket_id).toBe(8);
    expect(m.reply_time_in_minutes).toEqual({ calendar: 120, business: null });
    expect(m.full_resolution_time_in_minutes).toEqual({ calendar: 2880, business: null });
    expect([m.replies, m.reopens]).toEqual([3, 0]);
  });
});
