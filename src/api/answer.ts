/**
 * Reading a desk's answer body: JSON or a clear ApiError, never a JSON parse stack; and the
 * desk's own error message (Zendesk `{error, description, details}`) flattened to one line.
 */
import { ApiError } from '../core/errors.js';

export interface RawAnswer {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AnswerContext {
  method: string;
  /** Redacted URL, for ApiError.url. */
  url: string;
  /** "GET /api/v2/tickets/1", for messages. */
  where: string;
}

const MAX_MESSAGE = 300;

function contentType(answer: RawAnswer): string {
  const value = answer.headers['content-type'];
  return (Array.isArray(value) ? value[0] : value ?? '').toLowerCase();
}

export function looksLikeHtml(answer: RawAnswer): boolean {
  const type = contentType(answer);
  if (type.includes('html')) return true;
  if (type.includes('json')) return false;
  const head = answer.body.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body');
}

export function htmlError(answer: RawAnswer, ctx: Omit<AnswerContext, 'where'>): ApiError {
  return new ApiError(`the desk sent an HTML page instead of JSON (status ${answer.status}) — is the URL right?`, {
    status: answer.status,
    method: ctx.method,
    url: ctx.url,
    hint: 'the profile URL should be the desk itself, e.g. https://acme.zendesk.com; `deskops doctor` checks it',
  });
}

/** The JSON body of a successful answer; undefined for 204 or an empty body. */
export function parseJsonAnswer(answer: RawAnswer, ctx: AnswerContext): unknown {
  if (answer.status === 204 || answer.body.length === 0) return undefined;
  if (looksLikeHtml(answer)) throw htmlError(answer, ctx);
  const type = contentType(answer);
  const text = answer.body.toString('utf8');
  if (type !== '' && !type.includes('json')) {
    // A desk may label JSON loosely (text/plain); accept it only if it parses.
    const parsed = tryParse(text);
    if (parsed.ok) return parsed.value;
    throw new ApiError(`the desk sent ${type.split(';')[0]} instead of JSON (status ${answer.status}) — is the URL right?`, {
      status: answer.status,
      method: ctx.method,
      url: ctx.url,
    });
  }
  const parsed = tryParse(text);
  if (parsed.ok) return parsed.value;
  throw new ApiError(
    `the desk sent invalid JSON (status ${answer.status}, ${answer.body.length} bytes${
      /[}\]]\s*$/.test(text) ? '' : ', cut off'
    }) for ${ctx.where}`,
    { status: answer.status, method: ctx.method, url: ctx.url, hint: 'try again; if it keeps happening the desk or a proxy in between is broken' },
  );
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The desk's own explanation of a failed request as one line, or '' when it gave none
 * (or sent HTML). Handles Zendesk's `{error, description, details}`, `{error: {title, message}}`,
 * `{errors: [...]}` and text/plain bodies.
 */
export function deskMessage(answer: RawAnswer): string {
  if (answer.body.length === 0 || looksLikeHtml(answer)) return '';
  const text = answer.body.subarray(0, 64 * 1024).toString('utf8');
  const parsed = tryParse(text);
  if (!parsed.ok) return clean(text);
  return clean(messageFromJson(parsed.value));
}

function messageFromJson(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return '';
  const parts: string[] = [];
  const { error, description, details, message, errors } = value;
  if (isRecord(error)) {
    const title = typeof error.title === 'string' ? error.title : '';
    const msg = typeof error.message === 'string' ? error.message : '';
    parts.push([title, msg].filter(Boolean).join(': '));
  }
  const head = typeof description === 'string' && description !== '' ? description : typeof error === 'string' ? error : '';
  if (head) parts.push(head);
  if (typeof message === 'string' && message !== '') parts.push(message);
  const flat = flattenDetails(details);
  if (flat) parts.push(flat);
  if (Array.isArray(errors)) {
    const list = errors.map((e) => (typeof e === 'string' ? e : isRecord(e) ? String(e.detail ?? e.title ?? e.message ?? e.code ?? '') : '')).filter(Boolean);
    if (list.length > 0) parts.push(list.join('; '));
  }
  if (parts.length === 0) return '';
  // "Record validation errors: Status: closed prevents ticket update"
  const [first, ...rest] = parts.filter(Boolean);
  return rest.length > 0 ? `${first}: ${rest.join('; ')}` : first ?? '';
}

/** Zendesk's `details: {field: [{description, error}]}` -> "field: description; ..." */
export function flattenDetails(details: unknown): string {
  if (typeof details === 'string') return details;
  if (Array.isArray(details)) return details.map((d) => detailText(d)).filter(Boolean).join('; ');
  if (!isRecord(details)) return '';
  const lines: string[] = [];
  for (const [field, items] of Object.entries(details)) {
    const list = Array.isArray(items) ? items : [items];
    for (const item of list) {
      const text = detailText(item);
      if (!text) continue;
      const named = field === 'base' || text.toLowerCase().includes(field.replace(/_/g, ' ').toLowerCase()) || text.toLowerCase().includes(field.toLowerCase());
      lines.push(named ? text : `${field}: ${text}`);
    }
  }
  return lines.join('; ');
}

function detailText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (!isRecord(item)) return '';
  for (const key of ['description', 'message', 'error'] as const) {
    const v = item[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line, no control characters (desk text may quote customer input), bounded length. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}
