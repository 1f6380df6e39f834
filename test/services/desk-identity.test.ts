import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/api/helpdesk.js';
import { deskInstance, deskLabel } from '../../src/services/desk-identity.js';

const zendesk: Connection = { kind: 'zendesk', url: 'https://acme.zendesk.com', auth: { type: 'basic-token', email: 'a@acme.example', token: 't1' }, profile: 'acme' };
const demo: Connection = { kind: 'local', url: 'http://127.0.0.1:40001', auth: { type: 'basic-token', email: 'a@x', token: 't1' }, profile: 'local', inProcess: true };

describe('which desk', () => {
  it('labels the demo desk plainly and marks any other desk as live, with host and profile', () => {
    expect(deskLabel(demo)).toEqual({ name: 'demo desk', live: false });
    expect(deskLabel({ ...demo, inProcess: undefined })).toEqual({ name: 'demo desk at 127.0.0.1:40001', live: false });
    expect(deskLabel(zendesk)).toEqual({ name: 'acme.zendesk.com (profile acme)', live: true });
  });

  it('knows the demo desk by its token (a new port is the same desk, a re-seed another) and any other by URL, whoever signs in', () => {
    expect(deskInstance({ ...demo, url: 'http://127.0.0.1:40002' }).id).toBe(deskInstance(demo).id);
    expect(deskInstance({ ...demo, auth: { type: 'basic-token', email: 'a@x', token: 't2' } }).id).not.toBe(deskInstance(demo).id);
    expect(deskInstance({ ...zendesk, auth: { type: 'basic-token', email: 'admin@acme.example', token: 't9' } }).id).toBe(deskInstance(zendesk).id);
    expect(deskInstance({ ...zendesk, url: 'https://other.zendesk.com' }).id).not.toBe(deskInstance(zendesk).id);
  });
});
