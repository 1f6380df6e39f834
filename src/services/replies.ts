/**
 * Reply workflows shared by the CLI (`template`, `reply`) and the triage screen's reply picker:
 * the template library (shipped templates/ plus $DESKOPS_HOME/templates, user ones win by
 * name and locale), suggestions for a ticket, rendering a template with a real ticket, local
 * drafts in $DESKOPS_HOME/drafts, and sending a reply in one ticket update.
 *
 * For a picker: loadLibrary once, loadReplyTicket per ticket, then suggestionsFor,
 * renderForTicket (the preview string) and sendReply with that exact string.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HelpDesk } from '../api/helpdesk.js';
import type { Ticket, TicketStatus, TicketUpdate, User } from '../core/model.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import {
  DEFAULT_LOCALE,
  buildRenderContext,
  closestNames,
  effectiveTemplates,
  lintLibrary,
  lintTemplate,
  parseTemplate,
  renderTemplate,
  resolveTemplate,
  stripControls,
  templateVariables,
  type RenderContext,
  type ReplyTemplate,
  type TemplateProblem,
  type TemplateSet,
  type TemplateSource,
} from '../core/templates.js';
import { suggestTemplates, type TemplateSuggestion } from '../core/reply-suggest.js';
import { viewTicket, type TicketView } from './tickets.js';

// ---------------------------------------------------------------------------------------------
// Library

let shippedDir: string | undefined;

/**
 * templates/ at the top of the package. Found by walking up from this module, because it runs
 * from src/services (tests, tsx) as well as from a bundled chunk somewhere under dist/.
 */
export function shippedTemplatesDir(): string {
  if (shippedDir) return shippedDir;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start, i = 0; i < 6; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return (shippedDir = join(dir, 'templates'));
    if (dirname(dir) === dir) break;
  }
  return (shippedDir = resolve(start, '../../templates'));
}

export function userTemplatesDir(home: string): string {
  return join(home, 'templates');
}

export interface LibraryOptions {
  home: string;
  /** Default: the package's templates/ (tests point it at fixtures). */
  shippedDir?: string;
}

export interface TemplateLibrary {
  /** The templates in effect (user ones replace shipped ones of the same name and locale). */
  templates: ReplyTemplate[];
  /** Every valid template read, shipped and user, before overrides. */
  all: ReplyTemplate[];
  /** Files that could not be used, with file:line. They are left out of `templates`. */
  problems: TemplateProblem[];
  dirs: { shipped: string; user: string };
}

/** Reads the shipped and user templates. A broken file is reported in `problems`, not thrown. */
export async function loadLibrary(options: LibraryOptions): Promise<TemplateLibrary> {
  const dirs = { shipped: options.shippedDir ?? shippedTemplatesDir(), user: userTemplatesDir(options.home) };
  const [shipped, user] = await Promise.all([readTemplateDir(dirs.shipped, 'shipped'), readTemplateDir(dirs.user, 'user')]);
  const all = [...shipped.templates, ...user.templates];
  return {
    templates: effectiveTemplates(shipped.templates, user.templates),
    all,
    problems: [...shipped.problems, ...user.problems],
    dirs,
  };
}

async function templateFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.md') && !/^readme\.md$/i.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

async function readTemplateDir(dir: string, source: TemplateSource): Promise<{ templates: ReplyTemplate[]; problems: TemplateProblem[] }> {
  const templates: ReplyTemplate[] = [];
  const problems: TemplateProblem[] = [];
  for (const file of await templateFiles(dir)) {
    const r = parseTemplate(await readFile(file, 'utf8'), file, source);
    if (r.template) templates.push(r.template);
    problems.push(...r.problems);
  }
  return { templates, problems };
}

/**
 * The template `name` in `locale` (falling back to its language, then English). Throws
 * NotFoundError with the closest names when there is none.
 */
export function findTemplate(library: TemplateLibrary, name: string, locale: string = DEFAULT_LOCALE): ReplyTemplate {
  const found = resolveTemplate(library.templates, name, locale);
  if (found) return found;
  const names = [...new Set(library.templates.map((t) => t.name))];
  const close = closestNames(name, names);
  const broken = library.problems.find((p) => basename(p.path).startsWith(`${name}.`));
  throw new NotFoundError(`template "${name}" not found${close.length ? `; did you mean ${close.join(', ')}?` : ''}`, {
    hint: broken
      ? `${broken.path} has problems: run \`deskops template lint\``
      : 'run `deskops template list` to see the templates',
  });
}

export interface LintResult {
  files: number;
  problems: TemplateProblem[];
}

/**
 * Lints template files: with no paths, every shipped and user template; a path may be a file
 * or a directory of templates. Problems are sorted by file and line.
 */
export async function lintTemplates(options: LibraryOptions, paths: string[] = []): Promise<LintResult> {
  const groups: Array<{ files: string[]; source: TemplateSource }> = [];
  if (paths.length === 0) {
    groups.push({ files: await templateFiles(options.shippedDir ?? shippedTemplatesDir()), source: 'shipped' });
    groups.push({ files: await templateFiles(userTemplatesDir(options.home)), source: 'user' });
  } else {
    for (const p of paths) {
      const abs = resolve(p);
      let isDir: boolean;
      try {
        isDir = (await stat(abs)).isDirectory();
      } catch {
        throw new NotFoundError(`no such file or directory: ${p}`);
      }
      groups.push({ files: isDir ? await templateFiles(abs) : [abs], source: 'user' });
    }
  }
  const problems: TemplateProblem[] = [];
  const valid: ReplyTemplate[] = [];
  let files = 0;
  for (const group of groups) {
    for (const file of group.files) {
      files++;
      const r = parseTemplate(await readFile(file, 'utf8'), file, group.source);
      problems.push(...r.problems);
      if (r.template) {
        valid.push(r.template);
        problems.push(...lintTemplate(r.template));
      }
    }
  }
  // Locale fallback is judged against everything in effect, so a user translation of a shipped template is fine.
  const fallbacks = paths.length === 0 ? valid : (await loadLibrary(options)).all;
  problems.push(...lintLibrary(valid, fallbacks));
  problems.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return { files, problems };
}

// ---------------------------------------------------------------------------------------------
// A ticket to reply to

/** Everything about one ticket a reply needs: the thread, the people, the placeholders. */
export interface ReplyTicket {
  view: TicketView;
  me: User;
  context: RenderContext;
}

/** Reads a ticket with its thread and the agent sending (desk.me()). */
export async function loadReplyTicket(desk: HelpDesk, ticketId: number): Promise<ReplyTicket> {
  const [view, me] = await Promise.all([viewTicket(desk, ticketId), desk.me()]);
  return replyTicketFrom(view, me);
}

/** For a caller that already holds the ticket's view (the triage screen). */
export function replyTicketFrom(view: TicketView, me: User): ReplyTicket {
  const context = buildRenderContext({
    ticket: view.ticket,
    requester: view.requester,
    assignee: view.assignee,
    group: view.group,
    organization: view.organization,
    me,
  });
  return { view, me, context };
}

/** Ranked templates for the ticket, with reasons. */
export function suggestionsFor(library: TemplateLibrary, ticket: ReplyTicket, now: Date, limit = 5): TemplateSuggestion[] {
  const agentIds = new Set(ticket.view.users.filter((u) => u.role !== 'end-user').map((u) => u.id));
  agentIds.add(ticket.me.id);
  return suggestTemplates(ticket.view.ticket, ticket.view.comments, {
    now,
    templates: library.templates,
    agentIds,
    metrics: ticket.view.metrics,
    limit,
  });
}

/** A reply ready to preview and send: the exact text and what comes with it. */
export interface RenderedReply {
  ticketId: number;
  /** The text that is shown and sent, byte for byte. */
  body: string;
  public: boolean;
  set: TemplateSet;
  /** Template name, or null for a body written by hand. */
  template: string | null;
  locale: string | null;
  vars: Record<string, string>;
  /** The ticket's updated_at when rendered: the send is refused if it changed since. */
  ticketUpdatedAt: string;
  /** --var names the template does not use (worth a warning). */
  unusedVars: string[];
}

export interface RenderRequest {
  template: string;
  vars?: Record<string, string>;
  locale?: string;
}

/** Renders a template for a ticket. Throws NotFoundError or TemplateRenderError; nothing is sent. */
export function renderForTicket(library: TemplateLibrary, ticket: ReplyTicket, request: RenderRequest): RenderedReply {
  const template = findTemplate(library, request.template, request.locale);
  const vars = request.vars ?? {};
  const body = renderTemplate(template, ticket.context, vars);
  const used = new Set(templateVariables(template).filter((v) => v.startsWith('vars.')).map((v) => v.slice(5)));
  return {
    ticketId: ticket.view.ticket.id,
    body,
    public: template.public,
    set: { ...template.set, tags: template.set.tags ? [...template.set.tags] : undefined },
    template: template.name,
    locale: template.locale,
    vars: { ...vars },
    ticketUpdatedAt: ticket.view.ticket.updated_at,
    unusedVars: Object.keys(vars).filter((k) => !used.has(k)),
  };
}

/** A reply typed by hand (--body, --body-file): sent as written, not run through Liquid. */
export function literalReply(ticket: ReplyTicket, body: string): RenderedReply {
  const text = stripControls(body).replace(/\s+$/, '');
  if (text.trim() === '') throw new UsageError('the reply is empty; nothing was sent');
  return {
    ticketId: ticket.view.ticket.id,
    body: text,
    public: true,
    set: {},
    template: null,
    locale: null,
    vars: {},
    ticketUpdatedAt: ticket.view.ticket.updated_at,
    unusedVars: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface SendOptions {
  /** Internal note instead of the template's choice. */
  note?: boolean;
  /** Status instead of the template's `set.status`. */
  status?: TicketStatus;
}

export interface SentReply {
  ticket: Ticket;
  ticket_id: number;
  public: boolean;
  body: string;
  template: string | null;
  status: TicketStatus;
}

/** The one desk update a reply makes: the comment plus the template's (or the caller's) changes. */
export function replyUpdate(reply: RenderedReply, options: SendOptions = {}): TicketUpdate {
  if (reply.body.trim() === '') throw new UsageError('the reply is empty; nothing was sent');
  const update: TicketUpdate = { comment: { body: reply.body, public: options.note ? false : reply.public } };
  const status = options.status ?? reply.set.status;
  if (status) update.status = status;
  if (reply.set.priority) update.priority = reply.set.priority;
  if (reply.set.tags?.length) update.additional_tags = [...reply.set.tags];
  return update;
}

/**
 * Sends exactly `reply.body` in one ticket update (a safe update against the ticket as it was
 * rendered: if someone changed it meanwhile, the desk refuses with a conflict and nothing is
 * sent). A closed ticket is refused by the desk; its ApiError is passed on as is.
 */
export async function sendReply(desk: HelpDesk, reply: RenderedReply, options: SendOptions = {}): Promise<SentReply> {
  const update = replyUpdate(reply, options);
  const ticket = await desk.updateTicket(reply.ticketId, update, { ifUnmodifiedSince: reply.ticketUpdatedAt });
  return {
    ticket,
    ticket_id: ticket.id,
    public: update.comment!.public,
    body: update.comment!.body,
    template: reply.template,
    status: ticket.status,
  };
}

// ---------------------------------------------------------------------------------------------
// Drafts: $DESKOPS_HOME/drafts/<id>.json, written atomically

export interface Draft {
  id: string;
  ticket_id: number;
  template: string | null;
  locale: string | null;
  vars: Record<string, string>;
  public: boolean;
  set: TemplateSet;
  body: string;
  created_at: string;
  /** The desk it was written for (deskInstance): sent nowhere else. */
  desk?: { id: string; label: string };
  /** The ticket as it was rendered against: a draft is not sent to a ticket that changed since. */
  ticket_updated_at?: string;
  requester_id?: number;
  /** The text was changed by hand after rendering, so rendering again would lose it. */
  edited?: boolean;
}

const DRAFT_ID = /^[a-z0-9]{6,32}$/;

export function draftsDir(home: string): string {
  return join(home, 'drafts');
}

function draftPath(home: string, id: string): string {
  if (!DRAFT_ID.test(id)) throw new UsageError(`"${id}" is not a draft id`, { hint: 'run `deskops reply drafts` to see them' });
  return join(draftsDir(home), `${id}.json`);
}

/** Writes a file through a temp file and a rename, so a reader never sees half of it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Saves a draft; `scrub` hides the profile's secrets should desk text have carried one into it. */
export async function saveDraft(
  home: string,
  reply: RenderedReply,
  now: Date,
  scrub: (text: string) => string = (t) => t,
  bound: { desk?: { id: string; label: string }; requesterId?: number; edited?: boolean } = {},
): Promise<Draft> {
  const draft: Draft = {
    ...(bound.desk ? { desk: bound.desk } : {}),
    ticket_updated_at: reply.ticketUpdatedAt,
    ...(bound.requesterId !== undefined ? { requester_id: bound.requesterId } : {}),
    edited: bound.edited === true,
    id: randomBytes(4).toString('hex'),
    ticket_id: reply.ticketId,
    template: reply.template,
    locale: reply.locale,
    vars: reply.vars,
    public: reply.public,
    set: reply.set,
    body: scrub(reply.body),
    created_at: now.toISOString(),
  };
  await writeFileAtomic(draftPath(home, draft.id), `${JSON.stringify(draft, null, 2)}\n`);
  return draft;
}

export async function readDraft(home: string, id: string): Promise<Draft> {
  let text: string;
  try {
    text = await readFile(draftPath(home, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`draft ${id} not found`, { hint: 'run `deskops reply drafts` to see them' });
    }
    throw err;
  }
  return checkDraft(text, id);
}

function checkDraft(text: string, id: string): Draft {
  let d: Partial<Draft>;
  try {
    d = JSON.parse(text) as Partial<Draft>;
  } catch {
    throw new NotFoundError(`draft ${id} is not valid JSON`, { hint: `delete it with \`deskops reply discard ${id}\`` });
  }
  if (typeof d.ticket_id !== 'number' || typeof d.body !== 'string') {
    throw new NotFoundError(`draft ${id} has no ticket_id or body`, { hint: `delete it with \`deskops reply discard ${id}\`` });
  }
  return {
    id,
    ticket_id: d.ticket_id,
    template: d.template ?? null,
    locale: d.locale ?? null,
    vars: d.vars ?? {},
    public: d.public !== false,
    set: d.set ?? {},
    body: d.body,
    created_at: d.created_at ?? '',
    ...(d.desk && typeof d.desk.id === 'string' ? { desk: { id: d.desk.id, label: String(d.desk.label ?? d.desk.id) } } : {}),
    ...(typeof d.ticket_updated_at === 'string' ? { ticket_updated_at: d.ticket_updated_at } : {}),
    ...(typeof d.requester_id === 'number' ? { requester_id: d.requester_id } : {}),
    edited: d.edited === true,
  };
}

/** All drafts, oldest first. Unreadable files are skipped. */
export async function listDrafts(home: string): Promise<Draft[]> {
  let names: string[];
  try {
    names = await readdir(draftsDir(home));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const drafts: Draft[] = [];
  for (const n of names) {
    const id = n.replace(/\.json$/, '');
    if (!n.endsWith('.json') || !DRAFT_ID.test(id)) continue;
    try {
      drafts.push(checkDraft(await readFile(join(draftsDir(home), n), 'utf8'), id));
    } catch {
      // a broken or vanished draft does not hide the others
    }
  }
  return drafts.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

export async function discardDraft(home: string, id: string): Promise<void> {
  const file = draftPath(home, id);
  try {
    await rm(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`draft ${id} not found`);
    throw err;
  }
}

/**
 * Why a draft may not be sent to this ticket on this desk as it is, or undefined when it may:
 * written for another desk (the same ticket number there is another customer), for another
 * requester, or before the ticket changed (what it says may no longer hold).
 */
export function draftMismatch(draft: Draft, ticket: ReplyTicket, desk: { id: string; label: string }): { reason: string; changedOnly: boolean } | undefined {
  const t = ticket.view.ticket;
  if (!draft.desk || draft.ticket_updated_at === undefined) {
    return { reason: `draft ${draft.id} does not say which desk and ticket version it was written for (an earlier deskops saved it)`, changedOnly: false };
  }
  if (draft.desk.id !== desk.id) {
    // the same label on two ids: the demo desk, seeded again since
    const where = draft.desk.label === desk.label ? `${draft.desk.label} before it was seeded again` : `${draft.desk.label}, not on ${desk.label}`;
    return { reason: `draft ${draft.id} was written on ${where}`, changedOnly: false };
  }
  if (draft.requester_id !== undefined && draft.requester_id !== t.requester_id) {
    return { reason: `ticket ${t.id} has another requester than when draft ${draft.id} was written`, changedOnly: false };
  }
  if (draft.ticket_updated_at !== t.updated_at) {
    return { reason: `ticket ${t.id} changed since draft ${draft.id} was written (updated ${t.updated_at}, the draft saw ${draft.ticket_updated_at})`, changedOnly: true };
  }
  return undefined;
}

/**
 * A draft as a reply to send, refused (nothing sent) when it was written for another desk or
 * customer, or before the ticket changed; `rerendered` is the same template and vars rendered
 * for the ticket as it is now, which a ticket that only changed may take instead.
 */
export function replyFromDraft(
  draft: Draft,
  ticket: ReplyTicket,
  desk: { id: string; label: string },
  rerendered?: () => RenderedReply,
): RenderedReply {
  if (draft.ticket_id !== ticket.view.ticket.id) {
    throw new UsageError(`draft ${draft.id} is for ticket ${draft.ticket_id}, not ${ticket.view.ticket.id}`);
  }
  const mismatch = draftMismatch(draft, ticket, desk);
  if (mismatch) {
    if (mismatch.changedOnly && rerendered) return rerendered();
    const id = ticket.view.ticket.id;
    const again = draft.template ? `deskops reply draft ${id} --template ${draft.template}${Object.entries(draft.vars).map(([k, v]) => ` --var ${k}=${JSON.stringify(v)}`).join('')}` : undefined;
    const hint = mismatch.changedOnly
      ? draft.template && !draft.edited
        ? `check the ticket (deskops ticket view ${id}), then send the template rendered for it as it is now: deskops reply send ${id} --draft ${draft.id} --rerender`
        : `check the ticket (deskops ticket view ${id}) and write the reply again${again ? `: ${again} --edit` : ''}; the draft's text stays in deskops reply drafts`
      : again
        ? `render it for this ticket here: ${again}`
        : 'write the reply for this ticket here (deskops reply send ... --body-file FILE)';
    throw new UsageError(`${mismatch.reason}; nothing was sent`, { hint });
  }
  if (draft.body.trim() === '') throw new UsageError(`draft ${draft.id} is empty; nothing was sent`);
  return {
    ticketId: draft.ticket_id,
    body: draft.body,
    public: draft.public,
    set: draft.set,
    template: draft.template,
    locale: draft.locale,
    vars: draft.vars,
    ticketUpdatedAt: ticket.view.ticket.updated_at,
    unusedVars: [],
  };
}

export type { TemplateSuggestion };
