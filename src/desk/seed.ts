/**
 * Demo data for the local desk, deterministic from a seed and relative to `now`: 3 groups,
 * 8 agents with signatures, organizations (some VIP, some churned), end users, tickets
 * whose stories (seed-story.ts) cover the situations deskops is built for, and the team's
 * views and macros (seed-rules.ts).
 *
 * Everything is written in one transaction with prepared statements and the indexes are
 * built afterwards, so 100,000 tickets take seconds, not minutes. Ticket ids follow creation
 * time as in a real desk: each ticket's story comes from its own PRNG stream, so the stories
 * are told once to learn their creation times and again, in id order, to be written.
 */
import { BatchInsert, createIndexes, recreateSchema, setMeta, SCHEMA_VERSION, SEARCH_INDEX_COLUMNS, type Db } from './db.js';
import { createRng, type Rng } from './prng.js';
import { tellStory, type SeedAgent, type SeedEndUser, type SeedGroup, type StoryWorld } from './seed-story.js';
import { FIRST_NAMES, LAST_NAMES, ORG_TAGS, orgName, slug } from './seed-text.js';
import { DAY_S, unixNow } from './time.js';
import { searchText, tagsColumn, priorityRank, statusRank } from './records.js';
import { encodeEvents } from './metrics.js';
import { seedRules } from './seed-rules.js';

export interface SeedParams {
  tickets: number;
  seed: number;
  now: Date;
}

export interface SeedResult {
  tickets: number;
  users: number;
  organizations: number;
  me: { id: number; email: string };
  admin: { id: number; email: string };
}

const GROUPS: ReadonlyArray<SeedGroup & { description: string }> = [
  { id: 201, key: 'frontline', name: 'Frontline', description: 'First line: orders, deliveries, how-to questions' },
  { id: 202, key: 'escalations', name: 'Escalations', description: 'Complaints, bugs and anything a customer has chased twice' },
  { id: 203, key: 'billing', name: 'Billing', description: 'Charges, invoices, refunds and cancellations' },
];

const AGENTS: ReadonlyArray<[name: string, group: SeedGroup['key'], title: string]> = [
  ['Alex Morgan', 'frontline', 'Customer Support'],
  ['Priya Raman', 'frontline', 'Customer Support'],
  ['Sam Okafor', 'frontline', 'Customer Support'],
  ['Lena Fischer', 'frontline', 'Customer Support'],
  ['Diego Alvarez', 'escalations', 'Escalations Team'],
  ['Mei Tanaka', 'escalations', 'Escalations Team'],
  ['Jordan Blake', 'billing', 'Billing Team'],
  ['Fatima Haddad', 'billing', 'Billing Team'],
];

/**
 * The account's admin: a support lead who can read what agents cannot (incremental exports,
 * the satisfaction ratings list). Not in any queue, so the demo stories stay as they are.
 */
const ADMIN = { id: 1009, name: 'Robin Ellis', group: 'escalations' as const, title: 'Support Lead' };

export const AGENT_EMAIL_DOMAIN = 'support.deskops.example';
const FREE_MAIL = ['mail.example', 'inbox.example', 'post.example'];

/** Ids: groups 2xx, agents 1001-1008, the admin 1009, end users from 2001, organizations from 301. */
const FIRST_AGENT_ID = 1001;
const FIRST_END_USER_ID = 2001;
const FIRST_ORG_ID = 301;
const FIRST_RATING_ID = 500_001;

export function seedDatabase(db: Db, params: SeedParams): SeedResult {
  const now = unixNow(params.now);
  const worldRng = createRng(params.seed);
  const endUserCount = Math.max(300, Math.round(params.tickets * 0.6));
  const orgCount = Math.max(40, Math.round(endUserCount / 8));

  const run = db.transaction(() => {
    recreateSchema(db);
    const insert = prepareInserts(db);

    for (const g of GROUPS) insert.group.push([g.id, g.name, g.description, now - 400 * DAY_S, now - 400 * DAY_S]);

    const agents: SeedAgent[] = AGENTS.map(([name, groupKey, title], i) => {
      const first = name.split(' ')[0]!;
      const group = GROUPS.find((g) => g.key === groupKey)!;
      return {
        id: FIRST_AGENT_ID + i,
        name,
        first,
        email: `${slug(name).replace(/-/g, '.')}@${AGENT_EMAIL_DOMAIN}`,
        groupId: group.id,
        signature: `${first}\n${title} · Deskops Demo Co.`,
      };
    });
    for (const a of agents) {
      insert.user.push([a.id, a.name, a.email, 'agent', null, a.groupId, a.signature, 'UTC', now - 380 * DAY_S, now - 30 * DAY_S]);
    }
    const adminEmail = `${slug(ADMIN.name).replace(/-/g, '.')}@${AGENT_EMAIL_DOMAIN}`;
    const adminGroup = GROUPS.find((g) => g.key === ADMIN.group)!;
    insert.user.push([ADMIN.id, ADMIN.name, adminEmail, 'admin', null, adminGroup.id, `${ADMIN.name.split(' ')[0]}\n${ADMIN.title} · Deskops Demo Co.`, 'UTC', now - 400 * DAY_S, now - 30 * DAY_S]);

    const orgs = buildOrganizations(worldRng, orgCount, now);
    for (const o of orgs) {
      insert.org.push([o.id, o.name, JSON.stringify(o.domains), tagsColumn(o.tags), JSON.stringify(o.fields), o.notes, o.createdAt, o.createdAt]);
    }

    const endUsers = buildEndUsers(worldRng, endUserCount, orgs, now, (u) =>
      insert.user.push([u.id, u.name, u.email, 'end-user', u.organizationId, null, null, 'UTC', u.createdAt, u.createdAt]),
    );

    const byKey = (key: SeedGroup['key']) => agents.filter((a) => a.groupId === GROUPS.find((g) => g.key === key)!.id);
    const me = agents[0]!;
    const world: StoryWorld = {
      groups: Object.fromEntries(GROUPS.map((g) => [g.key, g])) as unknown as StoryWorld['groups'],
      agentsByGroup: {
        // "me" takes a fair share of the frontline queue, so `--assignee me` shows real work
        frontline: byKey('frontline').map((a) => [a, a.id === me.id ? 2 : 1] as const),
        escalations: byKey('escalations').map((a) => [a, 1] as const),
        billing: byKey('billing').map((a) => [a, 1] as const),
      },
      endUsers,
    };

    // First pass: when was each story's ticket created and last updated? Ids follow creation
    // time; the update sequence (the incremental export's order) follows the last update.
    const order = Array.from({ length: params.tickets }, (_, i) => {
      const { createdAt, updatedAt } = tellStory(storyRng(params.seed, i), world, now).ticket;
      return { i, createdAt, updatedAt, id: 0, seq: 0 };
    });
    order.sort((a, b) => a.createdAt - b.createdAt || a.i - b.i);
    order.forEach((entry, index) => (entry.id = index + 1));
    [...order].sort((a, b) => a.updatedAt - b.updatedAt || a.id - b.id).forEach((entry, index) => (entry.seq = index + 1));

    let commentId = 0;
    let ratingId = FIRST_RATING_ID - 1;
    for (const { i, id, seq } of order) {
      const { ticket: t, comments, events } = tellStory(storyRng(params.seed, i), world, now);
      let csat: [number | null, string | null, string | null] = [null, null, null];
      if (t.rating) {
        ratingId++;
        csat = [ratingId, t.rating.score, t.rating.comment];
        insert.rating.push([ratingId, id, t.rating.score, t.rating.comment, t.requesterId, t.assigneeId, t.groupId, t.rating.at, t.rating.at]);
      }
      insert.ticket.push([
        id, t.subject, t.description, t.status, statusRank(t.status), t.priority, priorityRank(t.priority), t.type,
        t.requesterId, t.submitterId, t.assigneeId, t.groupId, t.organizationId, tagsColumn(t.tags), JSON.stringify(t.customFields),
        t.channel, t.createdAt, t.updatedAt, seq, t.solvedAt, searchText(t.subject, t.description), ...csat, encodeEvents(events),
      ]);
      for (const c of comments) insert.comment.push([id, ++commentId, c.authorId, c.body, c.isPublic ? 1 : 0, c.channel, c.createdAt]);
    }

    for (const inserter of Object.values(insert)) inserter.flush();
    seedRules(db, now);
    // The demo is fully indexed for search when it is seeded: later changes wait out the lag.
    db.exec(`INSERT INTO search_index (${SEARCH_INDEX_COLUMNS}) SELECT ${SEARCH_INDEX_COLUMNS} FROM tickets`);
    setMeta(db, 'indexed_seq', String(params.tickets));
    createIndexes(db);
    setMeta(db, 'schema', SCHEMA_VERSION);
    setMeta(db, 'seed', String(params.seed));
    setMeta(db, 'seed_tickets', String(params.tickets));
    setMeta(db, 'me_user_id', String(me.id));
    setMeta(db, 'me_email', me.email);
    setMeta(db, 'admin_email', adminEmail);
    setMeta(db, 'last_comment_id', String(commentId));
    setMeta(db, 'seeded_at', params.now.toISOString());
    return { users: agents.length + 1 + endUsers.length, organizations: orgs.length, me: { id: me.id, email: me.email }, admin: { id: ADMIN.id, email: adminEmail } };
  });
  const result = run() as Omit<SeedResult, 'tickets'>;
  db.exec('PRAGMA wal_checkpoint(TRUNCATE); PRAGMA optimize;');
  return { tickets: params.tickets, ...result };
}

/** An independent PRNG stream per ticket, so a story can be told twice identically. */
function storyRng(seed: number, index: number): Rng {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  return createRng(h ^ (h >>> 13));
}

interface SeedOrg {
  id: number;
  name: string;
  domains: string[];
  tags: string[];
  fields: Record<string, string | number | boolean | null>;
  notes: string;
  createdAt: number;
  vip: boolean;
}

function buildOrganizations(rng: Rng, count: number, now: number): SeedOrg[] {
  const taken = new Set<string>();
  const orgs: SeedOrg[] = [];
  for (let i = 0; i < count; i++) {
    const name = orgName(rng, taken);
    taken.add(name);
    const vip = rng.chance(0.15);
    const churned = !vip && rng.chance(0.12);
    const tags = rng.sample(ORG_TAGS, rng.int(0, 2));
    if (vip) tags.push('vip');
    if (churned) tags.push('churned');
    const createdAt = now - rng.int(150, 1500) * DAY_S;
    const churnedAt = churned ? new Date((now - rng.int(3, 90) * DAY_S) * 1000).toISOString().slice(0, 10) : null;
    orgs.push({
      id: FIRST_ORG_ID + i,
      name,
      domains: [`${slug(name)}.example`],
      tags: tags.sort(),
      fields: {
        vip,
        churned_at: churnedAt,
        plan: rng.pick(['starter', 'growth', 'enterprise']),
        account_manager: vip ? rng.pick(['Dana Whitfield', 'Marco Bellini']) : null,
      },
      notes: vip ? 'Key account: loop in the account manager on complaints.' : '',
      createdAt,
      vip,
    });
  }
  return orgs;
}

function buildEndUsers(
  rng: Rng,
  count: number,
  orgs: readonly SeedOrg[],
  now: number,
  write: (u: SeedEndUser & { email: string; createdAt: number }) => void,
): SeedEndUser[] {
  const seen = new Map<string, number>();
  const users: SeedEndUser[] = [];
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const org = rng.chance(0.85) ? rng.pick(orgs) : null;
    const domain = org ? org.domains[0]! : rng.pick(FREE_MAIL);
    const base = `${slug(first)}.${slug(last)}`;
    const n = (seen.get(`${base}@${domain}`) ?? 0) + 1;
    seen.set(`${base}@${domain}`, n);
    const email = n === 1 ? `${base}@${domain}` : `${base}${n}@${domain}`;
    const user = { id: FIRST_END_USER_ID + i, name: `${first} ${last}`, first, organizationId: org?.id ?? null, vip: org?.vip ?? false };
    write({ ...user, email, createdAt: now - rng.int(125, 900) * DAY_S });
    users.push(user);
  }
  return users;
}

function prepareInserts(db: Db) {
  const batch = (table: string, columns: string) => new BatchInsert(db, table, columns.split(/,\s*/));
  return {
    group: batch('groups', 'id, name, description, created_at, updated_at'),
    org: batch('organizations', 'id, name, domain_names, tags, fields, notes, created_at, updated_at'),
    user: batch('users', 'id, name, email, role, organization_id, default_group_id, signature, time_zone, created_at, updated_at'),
    ticket: batch(
      'tickets',
      `id, subject, description, status, status_rank, priority, priority_rank, type, requester_id, submitter_id, assignee_id,
      group_id, organization_id, tags, custom_fields, channel, created_at, updated_at, update_seq, solved_at, search_text,
      csat_id, csat_score, csat_comment, events`,
    ),
    comment: batch('comments', 'ticket_id, id, author_id, body, public, channel, created_at'),
    rating: batch('satisfaction_ratings', 'id, ticket_id, score, comment, requester_id, assignee_id, group_id, created_at, updated_at'),
  };
}
