/**
 * Reads from the replica for one command (or one triage screen, across its refreshes):
 *  - `sync()` brings the replica up to date (sync.ts), at most once per `refresh` call;
 *  - `desk` is the desk with its directory reads served from the replica where it has them:
 *    the signed-in user, the groups and organizations (read again after DIRECTORY_TTL_S),
 *    the people named on tickets (read once, kept until `--fresh`);
 *  - `queueSource` hands buildQueue the view's unsolved tickets from the replica, with the SLA
 *    targets, metrics and threads read earlier for their current version, and keeps what the
 *    build read.
 * Everything else (writes, threads of a ticket, show_many) goes to the desk as it is.
 */
import { existsSync } from 'node:fs';
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Group, Organization, Ticket, User } from '../../core/model.js';
import { urgencyFeatures, type TextSignals, type UrgencyFeatures } from '../../core/urgency.js';
import { UsageError } from '../../core/errors.js';
import { deskIdentity } from '../desk-identity.js';
import { QueueCache, isVipOrganization, queueQuery, viewTest, type Facts, type Prune, type QueueSource, type QueueView, type Sideloads } from '../queue.js';
import { resolveGroup } from '../tickets.js';
import { replicaPath, TicketReplica, type TicketWhere } from './store.js';
import { syncReplica, type ReplicaSyncStats } from './sync.js';

/** Groups and organizations are read again when the copy is older than this. */
export const DIRECTORY_TTL_S = 3600;
export const UNSOLVED = ['new', 'open', 'pending', 'hold'] as const;

export interface ReplicaSessionOptions {
  home: string;
  desk: HelpDesk;
  now: () => Date;
  /** Start from an empty replica (`--fresh`): everything is read again. */
  fresh?: boolean;
  onNotice?: (message: string) => void;
  onProgress?: (tickets: number) => void;
  signal?: AbortSignal;
}

export class ReplicaSession {
  readonly replica: TicketReplica;
  /** The desk, with me, groups, organizations and users served from the replica. */
  readonly desk: HelpDesk;
  /** The last sync's figures. */
  lastSync: ReplicaSyncStats | undefined;
  readonly #raw: HelpDesk;
  readonly #options: ReplicaSessionOptions;
  #syncing: Promise<ReplicaSyncStats> | undefined;
  #closed = false;

  private constructor(replica: TicketReplica, options: ReplicaSessionOptions) {
    this.replica = replica;
    this.#raw = options.desk;
    this.#options = options;
    this.desk = directoryFromReplica(options.desk, replica, options.now);
  }

  /** The replica of the desk's profile; undefined for a desk it does not serve (Request Tracker). */
  static open(options: ReplicaSessionOptions): ReplicaSession | undefined {
    if (options.desk.kind === 'rt') return undefined;
    const replica = TicketReplica.open({
      path: replicaPath(options.home, options.desk.connection.profile),
      identity: deskIdentity(options.desk.connection),
      fresh: options.fresh,
    });
    return new ReplicaSession(replica, options);
  }

  /** Whether the desk's profile has a replica already (a bounded list then reads it, not search). */
  static exists(home: string, desk: HelpDesk): boolean {
    return desk.kind !== 'rt' && existsSync(replicaPath(home, desk.connection.profile));
  }

  /** Brings the replica up to date; calls while one runs share it. */
  sync(): Promise<ReplicaSyncStats> {
    if (this.#closed) return Promise.reject(new Error('the replica is closed: the command has ended'));
    this.#syncing ??= syncReplica(this.#raw, this.replica, this.#options)
      .then((stats) => (this.lastSync = stats))
      .finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  /**
   * The stored tickets (see TicketReplica.tickets), their `url` on the desk's address now (the
   * embedded desk listens on a new port each run).
   */
  *tickets(where: TicketWhere = {}): Generator<Ticket> {
    for (const t of this.replica.tickets(where)) yield this.#rebase(t);
  }

  /** A page of stored tickets by id, after `afterId` (see TicketReplica.ticketsAfter). */
  ticketsAfter(where: TicketWhere, afterId: number, limit: number): Ticket[] {
    return this.replica.ticketsAfter(where, afterId, limit).map((t) => this.#rebase(t));
  }

  #rebase(t: Ticket): Ticket {
    const url = (t as { url?: unknown }).url;
    if (typeof url !== 'string') return t;
    const at = url.indexOf('/api/v2/');
    const base = this.#raw.connection.url.replace(/\/+$/, '');
    return at < 0 || url.startsWith(`${base}/`) ? t : ({ ...t, url: `${base}${url.slice(at)}` } as Ticket);
  }

  /** buildQueue's tickets from the replica, synced first on every build. */
  queueSource(): QueueSource {
    const replica = this.replica;
    // the version each kept entry was read at, to write back only what a build read anew
    const stored = { sideloads: new Map<number, string>(), facts: new Map<number, string>() };
    // the text signals of the tickets handed over, read when their versions were stored, and
    // those versions: a ticket read elsewhere (a desk view read from the desk) gets them only
    // at the same version
    let signals = new Map<number, TextSignals>();
    let versions = new Map<number, string>();
    const lean = () => {
      signals = new Map();
      const tickets = replica.leanTickets({ statuses: UNSOLVED }, signals);
      versions = new Map(tickets.map((t) => [t.id, t.updated_at]));
      return tickets.filter(inViewNow);
    };
    let inViewNow: (t: Ticket) => boolean = () => true;
    // the tickets handed over, for the features keep writes, and those of them the replica
    // keeps no features of (undefined: not known, asked when keeping)
    let handed: readonly Ticket[] = [];
    let unknownFeatures: ReadonlySet<number> | undefined;
    return {
      unsolved: async (view: QueueView, filter: string | undefined, cache: QueueCache, prune?: Prune): Promise<Ticket[]> => {
        // While the sync's requests are out, the stored copies are read; they are read again
        // if the sync changed any, or another process wrote meanwhile (the common refresh
        // changes nothing or a few).
        const syncing = this.sync();
        syncing.catch(() => undefined);
        const filtered = filter !== undefined && filter.trim() !== '';
        // One of deskops' own views, ranked in full by buildQueue only where it can matter: the
        // features of every ticket in it are read, the lean copies of those prune keeps.
        const where = prune && !filtered && view.kind !== 'desk' ? await this.#viewWhere(view) : undefined;
        if (!where) inViewNow = await viewTest(this.desk, view, this.#options.now);
        await new Promise((resolve) => setTimeout(resolve, 0)); // the requests leave first
        const version = replica.dataVersion();
        let tickets: Ticket[];
        if (where) {
          let ranks = replica.rankFeatures(where);
          if ((await syncing).changed > 0 || replica.dataVersion() !== version) ranks = replica.rankFeatures(where);
          signals = new Map();
          const unknown = replica.leanTicketsByIds(ranks.unknown, signals, where);
          const unknownIds = (unknownFeatures = new Set(ranks.unknown));
          const keep = await prune!(ranks.features, unknown);
          tickets = [...unknown, ...replica.leanTicketsByIds([...keep].filter((id) => !unknownIds.has(id)), signals, where)].sort((a, b) => a.id - b.id);
          versions = new Map(tickets.map((t) => [t.id, t.updated_at]));
        } else {
          // lean copies (what ranking reads): the rows shown are made whole by hydrate
          unknownFeatures = undefined;
          tickets = lean();
          if ((await syncing).changed > 0 || replica.dataVersion() !== version) tickets = lean();
        }
        const tags = filtered ? tagTerms(filter!) : undefined;
        if (tags) {
          // tags alone (queue --tag): the stored copies have them as they are now; search trails
          tickets = tickets.filter((t) => tags.every((tag) => t.tags.some((x) => x.toLowerCase() === tag)));
        } else if (filtered) {
          // The filter is any search terms: search says which tickets match, the replica has them as they are now.
          const found: Ticket[] = [];
          for await (const t of this.#raw.exportSearchTickets(queueQuery(view, filter), { pageSize: 1000 })) found.push(t);
          replica.putTickets(found);
          const ids = new Set(found.map((t) => t.id));
          tickets = tickets.filter((t) => ids.has(t.id));
        }
        const wanted = new Map(tickets.map((t) => [t.id, t.updated_at]));
        // only what is of use is parsed: a ticket in the view, and not held by a screen already
        const about = replica.readAbout((table, id, at) => wanted.has(id) && cache[table].get(id)?.updatedAt !== at, where ? [...wanted.keys()] : undefined);
        for (const s of about.sideloads) {
          // the version the ticket is at now; one a screen holds already stays
          if (wanted.get(s.id) !== s.updatedAt || cache.sideloads.get(s.id)?.updatedAt === s.updatedAt) continue;
          cache.sideloads.set(s.id, { updatedAt: s.updatedAt, sideloads: s.value as Sideloads });
          stored.sideloads.set(s.id, s.updatedAt);
        }
        for (const f of about.facts) {
          // kept while the version or the thread is the same (QueueCache.factsFor decides)
          if (!wanted.has(f.id) || cache.facts.get(f.id)?.updatedAt === f.updatedAt) continue;
          const kept = f.value as { facts: Facts; requesterAt?: string | null };
          cache.facts.set(f.id, { updatedAt: f.updatedAt, ...(kept.requesterAt !== undefined ? { requesterAt: kept.requesterAt } : {}), facts: kept.facts });
          stored.facts.set(f.id, f.updatedAt);
        }
        handed = tickets;
        return tickets;
      },
      textSignals: (t: Ticket) => (versions.get(t.id) === t.updated_at ? signals.get(t.id) : undefined),
      hydrate: (lean: readonly Ticket[]): Ticket[] => {
        // The stored copy as it is now (another process may have stored a newer one since), with
        // the SLA targets and metrics the build gave the lean one: whole when the replica has
        // them for the version ranked (ranking read their lean form).
        const whole = replica.ticketsByIds(lean.map((t) => t.id));
        const sideloads = replica.sideloadsAt(new Map(lean.map((t) => [t.id, t.updated_at])));
        return lean.map((l) => {
          const held = whole.get(l.id);
          if (!held) return l;
          const out = this.#rebase(held);
          const side = sideloads.get(l.id);
          if (l.slas !== undefined) out.slas = side?.slas ?? l.slas;
          if (l.metric_set !== undefined) out.metric_set = side?.metricSet ?? l.metric_set;
          return out;
        });
      },
      vipOrganizations: async (ids: ReadonlySet<number>): Promise<ReadonlySet<number>> => {
        // those not read within DIRECTORY_TTL_S are read again (the desk's getOrganizations here does)
        const first = replica.vipOrganizations(ids, Math.floor(this.#options.now().getTime() / 1000) - DIRECTORY_TTL_S);
        const missing = [...ids].filter((id) => !first.held.has(id));
        if (missing.length === 0) return first.vip;
        const read = await this.desk.getOrganizations(missing);
        const vip = new Set(first.vip);
        for (const o of read) if (isVipOrganization(o)) vip.add(o.id);
        return vip;
      },
      knowsUsers: (ids: readonly number[]) => replica.users(new Set(ids)).size === new Set(ids).size,
      keep: (cache: QueueCache) => {
        if (this.#closed) return;
        replica.transaction(() => {
          // The features of the tickets handed over whose sideloads are at hand for their
          // version, where the replica keeps none for it yet (new and changed tickets).
          const unknown = unknownFeatures ?? new Set(replica.rankUnknown({ statuses: UNSOLVED }));
          const rows: Array<{ updatedAt: string; features: UrgencyFeatures }> = [];
          for (const t of handed) {
            const side = unknown.has(t.id) ? cache.sideloadsFor(t) : undefined;
            const s = versions.get(t.id) === t.updated_at ? signals.get(t.id) : undefined;
            if (!side || !s) continue;
            rows.push({ updatedAt: t.updated_at, features: urgencyFeatures({ ...t, slas: side.slas, metric_set: side.metricSet }, s) });
          }
          replica.putRank(rows);
          for (const [id, hit] of cache.sideloads) {
            if (stored.sideloads.get(id) === hit.updatedAt) continue;
            replica.putSideloads(id, hit.updatedAt, hit.sideloads);
            stored.sideloads.set(id, hit.updatedAt);
          }
          for (const [id, hit] of cache.facts) {
            if (stored.facts.get(id) === hit.updatedAt) continue;
            replica.putFacts(id, hit.updatedAt, { facts: hit.facts, ...(hit.requesterAt !== undefined ? { requesterAt: hit.requesterAt } : {}) });
            stored.facts.set(id, hit.updatedAt);
          }
        });
      },
    };
  }

  /** The replica's selection of one of deskops' own views' unsolved tickets (as viewTest tests them). */
  async #viewWhere(view: Exclude<QueueView, { kind: 'desk' }>): Promise<TicketWhere> {
    const where: TicketWhere = { statuses: UNSOLVED };
    if (view.kind === 'unassigned') where.assigneeId = null;
    if (view.kind === 'mine') where.assigneeId = (await this.desk.me()).id;
    if (view.kind === 'group') where.groupId = await resolveGroup(this.desk, view.group);
    return where;
  }

  /**
   * Runs `fn`; when it refuses a name (UsageError: a group made in the last hour is not in the
   * replica's copy yet), reads the groups again and runs it once more.
   */
  async withFreshNames<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.replica.setMeta('groups_read_s', undefined);
      return fn();
    }
  }

  /** Closes the file; a build still running when the command ends keeps nothing after it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.replica.close();
  }
}

/**
 * The desk with its directory reads served from the replica: `me`, `listGroups` and
 * `getOrganizations` (read again after DIRECTORY_TTL_S), `getUsers` (only the ids not held).
 */
export function directoryFromReplica(desk: HelpDesk, replica: TicketReplica, now: () => Date): HelpDesk {
  const nowS = () => Math.floor(now().getTime() / 1000);
  const overrides: Partial<HelpDesk> = {
    async me(): Promise<User> {
      const held = replica.meta('me');
      if (held !== undefined) return JSON.parse(held) as User;
      const me = await desk.me();
      replica.setMeta('me', JSON.stringify(me));
      return me;
    },
    async listGroups(): Promise<Group[]> {
      const readS = Number(replica.meta('groups_read_s') ?? NaN);
      if (nowS() - readS < DIRECTORY_TTL_S && nowS() >= readS) return replica.groups();
      const groups = await desk.listGroups();
      replica.putGroups(groups, nowS());
      return groups;
    },
    async getUsers(ids: number[]): Promise<User[]> {
      const held = replica.users(ids);
      const missing = [...new Set(ids.filter((id) => !held.has(id)))];
      if (missing.length > 0) {
        const read = await desk.getUsers(missing);
        replica.putUsers(read);
        for (const u of read) held.set(u.id, u);
      }
      return [...held.values()];
    },
    async getOrganizations(ids: number[]): Promise<Organization[]> {
      const at = nowS();
      const held = replica.organizations(ids, at - DIRECTORY_TTL_S);
      const missing = [...new Set(ids.filter((id) => !held.has(id)))];
      if (missing.length > 0) {
        const read = await desk.getOrganizations(missing);
        replica.putOrganizations(read, at, isVipOrganization);
        for (const o of read) held.set(o.id, o);
      }
      return [...held.values()];
    },
  };
  return new Proxy(desk, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof HelpDesk];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The tags of a filter made of `tags:NAME` terms only (all must match, as search reads them),
 * lower-cased; undefined for any other search terms.
 */
export function tagTerms(filter: string): string[] | undefined {
  const terms = filter.trim().split(/\s+/);
  const tags = terms.map((term) => /^tags:([^\s,"]+)$/i.exec(term)?.[1]?.toLowerCase());
  return tags.every((t): t is string => t !== undefined) ? tags : undefined;
}
