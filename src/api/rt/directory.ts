/**
 * Who and what a Request Tracker desk has besides tickets: its users (with the ones seen in
 * tickets and transactions remembered), the authenticated agent and RT's Nobody, queues as
 * groups, ticket custom fields and whether the Tags field exists. RT has no organizations
 * and no satisfaction ratings.
 */
import { ApiError, AuthError, DeskopsError, NotFoundError, PermissionError } from '../../core/errors.js';
import type { Group, Organization, SatisfactionRating, TicketField, User } from '../types.js';
import { groupFrom, isBody, maybeId, NOBODY, recordId, TAGS_FIELD, userFrom } from './records.js';
import { inBatches, itemsOf, positiveId, REST2, type RtSession } from './session.js';

/** Requests of one batch in flight at once (RT's standalone server answers one at a time). */
const CONCURRENCY = 4;
/** Users probed one by one when RT will not list the privileged group (no AdminGroupMembership). */
export const MAX_USERS_PROBED = 2_000;

export class RtDirectory {
  private readonly session: RtSession;
  /** Users seen in ticket and transaction blocks, and read by id. */
  private readonly users = new Map<number, User>();
  /** Ids of the users read by id, whose role is known. */
  private readonly usersRead = new Set<number>();
  private mePromise: Promise<User> | undefined;
  private nobodyPromise: Promise<number | null> | undefined;
  private tagsPromise: Promise<boolean> | undefined;

  constructor(session: RtSession) {
    this.session = session;
  }

  async me(): Promise<User> {
    const who = this.ownLogin();
    const path = `${REST2}/user/${encodeURIComponent(who)}`;
    let body: unknown;
    try {
      body = await this.session.get(path, undefined, { notFound: `user ${who} not found` });
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new AuthError(`authentication failed for profile ${this.session.connection.profile}: Request Tracker has no user ${who}`);
      }
      throw err;
    }
    if (!isBody(body)) throw new ApiError(`Request Tracker sent no user for GET ${path}`);
    return this.learn(userFrom(body));
  }

  /** The login (or id) of the authenticated user: RT's auth token is "1-<user id>-<secret>". */
  private ownLogin(): string {
    const auth = this.session.connection.auth;
    switch (auth.type) {
      case 'rt-token':
      case 'bearer': {
        const m = /^\d+-(\d+)-[0-9a-f]+$/i.exec(auth.token);
        if (!m) {
          throw new AuthError(`the token of profile ${this.session.connection.profile} is not a Request Tracker auth token (1-<user id>-<secret>)`, {
            hint: 'create one in RT under Logged in as ... > Settings > Auth Tokens, then add the profile again',
          });
        }
        return m[1]!;
      }
      case 'basic-password':
        return auth.email;
      case 'basic-token':
        return auth.email;
    }
  }

  cachedMe(): Promise<User> {
    this.mePromise ??= this.me().catch((err: unknown) => {
      this.mePromise = undefined;
      throw err;
    });
    return this.mePromise;
  }

  nobodyId(): Promise<number | null> {
    this.nobodyPromise ??= this.session.get(`${REST2}/user/${NOBODY}`, undefined, { notFound: 'no Nobody user' })
      .then((body) => (isBody(body) ? recordId(body, 'user') : null))
      .catch(() => null);
    return this.nobodyPromise;
  }

  /** Users seen in ticket and transaction blocks (their role a guess: owners are agents). */
  remember(users: Iterable<User>): void {
    for (const user of users) {
      if (this.usersRead.has(user.id)) continue;
      const known = this.users.get(user.id);
      this.users.set(user.id, known?.role === 'agent' ? { ...user, role: 'agent' } : user);
    }
  }

  /** A user read by id (its role known). */
  private learn(user: User): User {
    this.usersRead.add(user.id);
    this.users.set(user.id, user);
    return user;
  }

  async getUsers(ids: number[]): Promise<User[]> {
    const unique = [...new Set(ids.map((id) => positiveId(id, 'user id')))];
    const missing = unique.filter((id) => !this.users.has(id));
    await inBatches(missing, CONCURRENCY, async (id) => {
      try {
        const body = await this.session.get(`${REST2}/user/${id}`, undefined, { notFound: `user ${id} not found` });
        if (isBody(body)) this.learn(userFrom(body));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    });
    return unique.map((id) => this.users.get(id)).filter((u): u is User => u !== undefined);
  }

  /**
   * Users by role: agents are RT's privileged users, end-users the others; RT has no admin role,
   * so `admin` lists nobody (privileged admins are listed as agents).
   */
  async *listUsers(options: { role?: 'agent' | 'admin' | 'end-user' } = {}): AsyncIterable<User> {
    if (options.role === 'admin') return;
    if (options.role === 'agent') {
      const members = await this.privilegedMembers();
      if (members !== null) {
        for (const user of await this.getUsers(members)) yield { ...user, role: 'agent' };
        return;
      }
    }
    // Every user, each read by id to learn whether it is privileged (RT's list does not say).
    let probed = 0;
    for await (const page of this.session.pages(`${REST2}/users`, { query: '[]', fields: ['id', 'Name', 'EmailAddress', 'RealName', 'Disabled'], orderby: 'id' })) {
      const listed = page.items.flatMap((item) => (maybeId(item.id) === undefined ? [] : [userFrom(item)]));
      probed += listed.length;
      if (probed > MAX_USERS_PROBED) {
        throw new DeskopsError(`Request Tracker has more than ${MAX_USERS_PROBED} users and does not let this agent list the privileged ones`, {
          hint: 'grant the agent AdminGroupMembership (or SuperUser) so deskops can read the Privileged group',
        });
      }
      const known = await this.getUsersFresh(listed.map((u) => u.id));
      for (const user of known) if (options.role === undefined || (user.role === 'agent') === (options.role === 'agent')) yield user;
    }
  }

  /** Users read by id (their summary says whether they are privileged). */
  private async getUsersFresh(ids: number[]): Promise<User[]> {
    const out: User[] = ids.filter((id) => this.usersRead.has(id)).map((id) => this.users.get(id)!);
    await inBatches(ids.filter((id) => !this.usersRead.has(id)), CONCURRENCY, async (id) => {
      try {
        const body = await this.session.get(`${REST2}/user/${id}`, undefined, { notFound: `user ${id} not found` });
        if (isBody(body)) out.push(this.learn(userFrom(body)));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    });
    return out.sort((a, b) => a.id - b.id);
  }

  /** Ids of the members of RT's Privileged group, or null when this agent may not read them. */
  private async privilegedMembers(): Promise<number[] | null> {
    try {
      const groups = await this.session.get(`${REST2}/groups`, {
        query: JSON.stringify([
          { field: 'Name', value: 'Privileged' },
          { field: 'Domain', value: 'SystemInternal', entry_aggregator: 'AND' },
        ]),
      });
      const group = itemsOf(groups, 'GET /groups')[0];
      const groupId = group ? maybeId(group.id) : undefined;
      if (groupId === undefined) return null;
      const members = await this.session.all(`${REST2}/group/${groupId}/members`, { groups: 0, recursively: 1 });
      return members.flatMap((m) => {
        const id = maybeId(m.id);
        return id === undefined ? [] : [id];
      });
    } catch (err) {
      if (err instanceof AuthError || err instanceof PermissionError || err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async listGroups(): Promise<Group[]> {
    const items = await this.session.all(`${REST2}/queues/all`, { fields: ['Name', 'Description', 'Created', 'LastUpdated'] });
    return items.map(groupFrom);
  }

  /**
   * RT has no organizations, so there are none to list (the KPI churn report then says it has
   * no customers and asks for a customers CSV).
   */
  async *listOrganizations(): AsyncIterable<Organization> {
    // nothing: Request Tracker has no organizations
  }

  /** RT has no organizations: no ticket names one, so every id is missing. */
  async getOrganizations(ids: number[]): Promise<Organization[]> {
    for (const id of ids) positiveId(id, 'organization id');
    return [];
  }

  async listTicketFields(): Promise<TicketField[]> {
    const items = await this.session.all(`${REST2}/customfields`, {
      query: JSON.stringify([{ field: 'LookupType', value: 'RT::Queue-RT::Ticket' }]),
      fields: ['Name', 'Description', 'Type', 'MaxValues', 'Disabled'],
      find_disabled_rows: 1,
    });
    return items.map((cf) => {
      const name = typeof cf.Name === 'string' ? cf.Name : '';
      const type = typeof cf.Type === 'string' ? cf.Type.toLowerCase() : 'text';
      const single = cf.MaxValues === 1 || cf.MaxValues === '1';
      const field: TicketField = {
        id: recordId(cf, 'custom field'),
        title: name,
        type: type === 'select' ? (single ? 'tagger' : 'multiselect') : type === 'freeform' ? 'text' : type,
        key: name,
        active: !(cf.Disabled === 1 || cf.Disabled === '1'),
      };
      if (typeof cf.Description === 'string' && cf.Description !== '') field.description = cf.Description;
      return field;
    });
  }

  /** RT has no satisfaction ratings. */
  async *listSatisfactionRatings(): AsyncIterable<SatisfactionRating> {
    throw new NotFoundError('Request Tracker has no satisfaction ratings', {
      hint: 'CSAT then counts csat_N tags only (the Tags custom field)',
    });
  }

  /** Whether RT has the Tags custom field for tickets (asked once). */
  private hasTagsField(): Promise<boolean> {
    this.tagsPromise ??= this.session.get(`${REST2}/customfields`, {
      query: JSON.stringify([
        { field: 'Name', value: TAGS_FIELD },
        { field: 'LookupType', value: 'RT::Queue-RT::Ticket', entry_aggregator: 'AND' },
      ]),
    })
      .then((body) => itemsOf(body, 'GET /customfields').length > 0)
      .catch((err: unknown) => {
        this.tagsPromise = undefined;
        throw err;
      });
    return this.tagsPromise;
  }

  async needTags(what: string): Promise<void> {
    if (await this.hasTagsField()) return;
    throw new DeskopsError(`Request Tracker has no tags, so deskops cannot ${what}`, {
      hint: `an RT admin can add a multi-value ticket custom field named "${TAGS_FIELD}"; deskops reads and writes tags there`,
    });
  }
}
