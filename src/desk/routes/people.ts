/**
 * Users, groups, organizations and ticket fields: /users/me, /users (role filter),
 * /users/{id}, /users/show_many, /groups, /organizations, /organizations/show_many,
 * /ticket_fields.
 */
import { badRequest, notFound } from '../http-errors.js';
import { cursorEnvelope, keysetPage, offsetEnvelope, pageParams } from '../pagination.js';
import {
  USER_COLUMNS,
  groupJson,
  organizationJson,
  ticketFieldsJson,
  userJson,
  type OrganizationRow,
  type UserRow,
} from '../records.js';
import { idsParam, pageUrl, pathId, type DeskContext, type DeskReply, type DeskRequest } from './context.js';

const ROLES = ['end-user', 'agent', 'admin'];

/** A list endpoint over one table: cursor or offset pages in id order. */
export function listById<R extends { id: number }>(
  req: DeskRequest,
  ctx: DeskContext,
  spec: { key: string; select: string; from: string; where: string[]; params: unknown[]; json: (row: R) => unknown },
): DeskReply {
  const page = pageParams(req.query);
  if (page.mode === 'cursor') {
    const result = keysetPage<R>(
      ctx.store.query,
      { select: `${spec.select} FROM ${spec.from}`, where: spec.where, params: spec.params, sortColumn: 'id', desc: false, key: (r) => [r.id, r.id] },
      page,
    );
    return { body: { [spec.key]: result.rows.map(spec.json), ...cursorEnvelope(result, (c) => pageUrl(req, ctx, c)) } };
  }
  const where = spec.where.length ? ` WHERE ${spec.where.join(' AND ')}` : '';
  const rows = ctx.store.all<R>(`${spec.select} FROM ${spec.from}${where} ORDER BY id LIMIT ? OFFSET ?`, [
    ...spec.params,
    page.perPage,
    (page.page - 1) * page.perPage,
  ]);
  const count = ctx.store.count(`SELECT count(*) AS n FROM ${spec.from}${where}`, spec.params);
  return { body: { [spec.key]: rows.map(spec.json), ...offsetEnvelope(page, count, (c) => pageUrl(req, ctx, c)) } };
}

export function me(_req: DeskRequest, ctx: DeskContext): DeskReply {
  return { body: { user: userJson(ctx.me, ctx.base) } };
}

export function listUsers(req: DeskRequest, ctx: DeskContext): DeskReply {
  const roles = [...req.query.getAll('role'), ...req.query.getAll('role[]')];
  for (const role of roles) {
    if (!ROLES.includes(role)) throw badRequest('InvalidParameter', `role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  }
  return listById<UserRow>(req, ctx, {
    key: 'users',
    select: `SELECT ${USER_COLUMNS}`,
    from: 'users',
    where: roles.length ? ['role IN (SELECT value FROM json_each(?))'] : [],
    params: roles.length ? [JSON.stringify(roles)] : [],
    json: (u) => userJson(u, ctx.base),
  });
}

export function showUser(req: DeskRequest, ctx: DeskContext): DeskReply {
  const user = ctx.store.user(pathId(req.params[0]));
  if (!user) throw notFound();
  return { body: { user: userJson(user, ctx.base) } };
}

export function showManyUsers(req: DeskRequest, ctx: DeskContext): DeskReply {
  const users = ctx.store.usersByIds(idsParam(req.query));
  return { body: { users: users.map((u) => userJson(u, ctx.base)), next_page: null, previous_page: null, count: users.length } };
}

export function listGroups(_req: DeskRequest, ctx: DeskContext): DeskReply {
  const groups = ctx.store.groups().map((g) => groupJson(g, ctx.base));
  return { body: { groups, next_page: null, previous_page: null, count: groups.length } };
}

export function showGroup(req: DeskRequest, ctx: DeskContext): DeskReply {
  const group = ctx.store.group(pathId(req.params[0]));
  if (!group) throw notFound();
  return { body: { group: groupJson(group, ctx.base) } };
}

export function listOrganizations(req: DeskRequest, ctx: DeskContext): DeskReply {
  return listById<OrganizationRow>(req, ctx, {
    key: 'organizations',
    select: 'SELECT *',
    from: 'organizations',
    where: [],
    params: [],
    json: (o) => organizationJson(o, ctx.base),
  });
}

export function showOrganization(req: DeskRequest, ctx: DeskContext): DeskReply {
  const org = ctx.store.organization(pathId(req.params[0]));
  if (!org) throw notFound();
  return { body: { organization: organizationJson(org, ctx.base) } };
}

export function showManyOrganizations(req: DeskRequest, ctx: DeskContext): DeskReply {
  const orgs = ctx.store.organizationsByIds(idsParam(req.query)).map((o) => organizationJson(o, ctx.base));
  return { body: { organizations: orgs, next_page: null, previous_page: null, count: orgs.length } };
}

export function listTicketFields(_req: DeskRequest, ctx: DeskContext): DeskReply {
  const fields = ticketFieldsJson(ctx.base);
  return { body: { ticket_fields: fields, next_page: null, previous_page: null, count: fields.length } };
}

