/**
 * One demo ticket's life: who wrote in, about what, and what happened after (assignment,
 * replies, questions to the customer, transfers, holds, solves, reopens, closing, survey).
 * A story is a list of timed actions; `tellStory` replays it into the rows the store keeps
 * (ticket, comments, metric events, rating), so the metrics computed from the events agree
 * with the thread.
 */
import type { TicketPriority, TicketStatus } from '../core/model.js';
import type { Rng } from './prng.js';
import {
  TOPIC_EXTRA_TAGS,
  TOPIC_TAGS,
  TOPIC_WEIGHTS,
  agentReply,
  customerDescription,
  customerFollowUp,
  internalNote,
  makeTextContext,
  phoneSummary,
  ratingComment,
  subjectFor,
  transferNote,
  type Topic,
} from './seed-text.js';
import { DAY_S, HOUR_S, MINUTE_S } from './time.js';
import type { EventRow } from './metrics.js';
import { FIELD_ORDER_NUMBER, FIELD_SURVEY_SCORE, FIELD_TIME_LAST, FIELD_TIME_TOTAL } from './fields.js';

export interface SeedAgent {
  id: number;
  name: string;
  first: string;
  email: string;
  groupId: number;
  signature: string;
}

export interface SeedGroup {
  id: number;
  name: string;
  key: 'frontline' | 'escalations' | 'billing';
}

export interface SeedEndUser {
  id: number;
  name: string;
  first: string;
  organizationId: number | null;
  vip: boolean;
}

export interface StoryWorld {
  groups: Record<SeedGroup['key'], SeedGroup>;
  /** Agents of each group, with weights (the "me" agent gets a fair share of frontline work). */
  agentsByGroup: Record<SeedGroup['key'], ReadonlyArray<readonly [SeedAgent, number]>>;
  endUsers: readonly SeedEndUser[];
}

type Final = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

type Action =
  | { gap: number; kind: 'comment'; authorId: number; role: 'agent' | 'end-user'; isPublic: boolean; body: string; channel: string; work?: number }
  | { gap: number; kind: 'status'; to: TicketStatus }
  | { gap: number; kind: 'group'; to: number | null }
  | { gap: number; kind: 'assignee'; to: number | null }
  | { gap: number; kind: 'rating'; score: 'offered' | 'good' | 'bad'; comment: string | null };

export interface StoryTicket {
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: 'problem' | 'incident' | 'question' | 'task' | null;
  requesterId: number;
  submitterId: number;
  assigneeId: number | null;
  groupId: number | null;
  organizationId: number | null;
  tags: string[];
  customFields: Record<string, string | number>;
  channel: string;
  createdAt: number;
  updatedAt: number;
  solvedAt: number | null;
  rating: { score: 'offered' | 'good' | 'bad'; comment: string | null; at: number } | null;
}

export interface StoryComment {
  authorId: number;
  body: string;
  isPublic: boolean;
  channel: string;
  createdAt: number;
}

export interface Story {
  ticket: StoryTicket;
  comments: StoryComment[];
  events: EventRow[];
}

const between = (rng: Rng, min: number, max: number) => Math.round(min + rng.next() * (max - min));

const FIRST_REPLY_GAP: Record<TicketPriority, [number, number]> = {
  urgent: [5 * MINUTE_S, 2 * HOUR_S],
  high: [15 * MINUTE_S, 6 * HOUR_S],
  normal: [30 * MINUTE_S, 14 * HOUR_S],
  low: [HOUR_S, 40 * HOUR_S],
};

const PRIORITY_WEIGHTS: Record<Topic, ReadonlyArray<readonly [TicketPriority, number]>> = {
  complaint: [['urgent', 30], ['high', 50], ['normal', 20]],
  bug: [['urgent', 10], ['high', 35], ['normal', 45], ['low', 10]],
  delivery: [['urgent', 5], ['high', 25], ['normal', 60], ['low', 10]],
  billing: [['urgent', 5], ['high', 35], ['normal', 55], ['low', 5]],
  refund: [['urgent', 5], ['high', 35], ['normal', 55], ['low', 5]],
  howto: [['normal', 50], ['low', 50]],
  cancel: [['high', 10], ['normal', 70], ['low', 20]],
  account: [['high', 20], ['normal', 60], ['low', 20]],
};

const HOME_GROUP: Record<Topic, ReadonlyArray<readonly [SeedGroup['key'], number]>> = {
  delivery: [['frontline', 85], ['escalations', 15]],
  billing: [['billing', 75], ['frontline', 25]],
  refund: [['billing', 70], ['frontline', 30]],
  complaint: [['escalations', 45], ['frontline', 55]],
  cancel: [['frontline', 60], ['billing', 40]],
  howto: [['frontline', 100]],
  bug: [['escalations', 50], ['frontline', 50]],
  account: [['frontline', 100]],
};

/** Topics whose first answer often settles the question. */
const ONE_TOUCH_TOPICS: ReadonlySet<Topic> = new Set(['howto', 'account', 'cancel']);

/** The most comments a demo thread gets. */
const MAX_COMMENTS = 8;

const BUMP: Record<TicketPriority, TicketPriority> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };

/** Builds the story of one ticket. `now` is unix seconds; every action happens before it. */
export function tellStory(rng: Rng, world: StoryWorld, now: number): Story {
  const topic = rng.weighted(TOPIC_WEIGHTS);
  const requester = rng.pick(world.endUsers);
  const angry = topic === 'complaint' || ((topic === 'delivery' || topic === 'refund' || topic === 'billing') && rng.chance(0.15));
  const channel = rng.weighted([['email', 45], ['web', 25], ['chat', 18], ['phone', 12]] as const);
  const final = rng.weighted<Final>([['new', 9], ['open', 15], ['pending', 12], ['hold', 5], ['solved', 24], ['closed', 35]]);

  let priority: TicketPriority | null = rng.weighted(PRIORITY_WEIGHTS[topic]);
  if (requester.vip) priority = BUMP[priority];
  if (final === 'new' && rng.chance(0.12)) priority = null;

  const type = ticketType(rng, topic);
  const homeKey = rng.weighted(HOME_GROUP[topic]);
  const pickAgent = (key: SeedGroup['key']) => rng.weighted(world.agentsByGroup[key]);
  let agent = pickAgent(homeKey);
  const text = makeTextContext(rng, requester.first, agent.first);

  const tags = new Set<string>([...TOPIC_TAGS[topic]]);
  for (const extra of TOPIC_EXTRA_TAGS[topic]) if (rng.chance(0.18)) tags.add(extra);
  if (requester.vip) tags.add('vip');
  if (channel === 'chat') tags.add('chat');
  if (angry && rng.chance(0.5)) tags.add('angry');

  const actions: Action[] = [];
  const say = (gap: number, body: string, isPublic = true) =>
    actions.push({ gap, kind: 'comment', authorId: requester.id, role: 'end-user', isPublic, body, channel: channel === 'phone' ? 'email' : channel });
  const reply = (gap: number, body: string, isPublic = true) =>
    actions.push({ gap, kind: 'comment', authorId: agent.id, role: 'agent', isPublic, body, channel: 'web', work: between(rng, 60, 1200) });
  const status = (gap: number, to: TicketStatus) => actions.push({ gap, kind: 'status', to });

  // Creation: the customer writes in, or an agent logs a phone call.
  const routed = final !== 'new' ? rng.chance(0.8) : rng.chance(0.5);
  let groupKey: SeedGroup['key'] | null = routed || channel === 'phone' ? homeKey : null;
  // `state` changes inside the helpers below; read it through current() so TypeScript does not narrow it.
  let state: TicketStatus = 'new';
  const current = (): TicketStatus => state;
  status(0, 'new');
  if (groupKey) actions.push({ gap: 0, kind: 'group', to: world.groups[groupKey].id });
  let description: string;
  if (channel === 'phone') {
    description = phoneSummary(rng, topic, text);
    actions.push({ gap: 0, kind: 'assignee', to: agent.id });
    reply(0, description);
  } else {
    description = customerDescription(rng, topic, text, { angry, channel });
    say(0, description);
  }
  const subject = subjectFor(rng, topic, text, angry);

  const set = (gap: number, to: TicketStatus) => {
    if (state !== to) {
      status(gap, to);
      state = to;
    }
  };
  const customerSays = (gap: number, kind: 'calm' | 'angry' | 'thanks' | 'reopen') => {
    say(gap, customerFollowUp(rng, kind, text));
    if (state === 'pending' || state === 'hold' || state === 'solved') set(0, 'open');
  };
  const agentGap = () => between(rng, 20 * MINUTE_S, 20 * HOUR_S);
  const customerGap = () => between(rng, 2 * HOUR_S, 2 * DAY_S);
  const signature = () => agent.signature;

  // Threads have 2 to 8 comments. `owed` counts the comments the story still has to tell;
  // optional ones (notes, extra rounds, thanks) only come when they leave room for those.
  const comments = () => actions.reduce((n, a) => n + (a.kind === 'comment' ? 1 : 0), 0);
  let owed = 0;
  const room = (n = 1) => comments() + owed + n <= MAX_COMMENTS;

  if (final === 'new') {
    // Nobody has picked it up: the customer chases, or an agent leaves a triage note.
    if (rng.chance(0.5)) say(between(rng, 2 * HOUR_S, 20 * HOUR_S), customerFollowUp(rng, angry ? 'angry' : 'calm', text));
    else reply(between(rng, 10 * MINUTE_S, 6 * HOUR_S), internalNote(rng, 'general', text), false);
  } else {
    const transfer = rng.chance(0.13);
    const awaitingFirstReply = final === 'open' && rng.chance(0.35);
    const reopen = (final === 'solved' || final === 'closed') && rng.chance(0.12);
    owed = (transfer ? 1 : 0) + (awaitingFirstReply ? 0 : 1) + (final === 'solved' || final === 'closed' ? 1 + (reopen ? 3 : 0) : 1);

    // Assignment (phone tickets are assigned from the start).
    if (channel !== 'phone') {
      const gap = between(rng, 2 * MINUTE_S, 6 * HOUR_S);
      if (!groupKey) {
        groupKey = homeKey;
        actions.push({ gap, kind: 'group', to: world.groups[homeKey].id });
        actions.push({ gap: 0, kind: 'assignee', to: agent.id });
      } else {
        actions.push({ gap, kind: 'assignee', to: agent.id });
      }
    }
    set(0, 'open');
    if (requester.vip && room() && rng.chance(0.3)) reply(between(rng, MINUTE_S, 10 * MINUTE_S), internalNote(rng, 'vip', text), false);
    if (room() && rng.chance(0.25)) reply(between(rng, 5 * MINUTE_S, 2 * HOUR_S), internalNote(rng, 'general', text), false);

    const doTransfer = () => {
      const options = (['frontline', 'escalations', 'billing'] as const).filter((k) => k !== groupKey);
      const toKey = rng.pick(options);
      owed--;
      reply(between(rng, 10 * MINUTE_S, 4 * HOUR_S), transferNote(rng, world.groups[groupKey!].name, world.groups[toKey].name, text), false);
      actions.push({ gap: 0, kind: 'group', to: world.groups[toKey].id });
      agent = pickAgent(toKey);
      actions.push({ gap: between(rng, 5 * MINUTE_S, 3 * HOUR_S), kind: 'assignee', to: agent.id });
      groupKey = toKey;
      tags.add('transferred');
    };

    if (awaitingFirstReply) {
      if (transfer) doTransfer();
      owed--;
      customerSays(customerGap(), angry ? 'angry' : 'calm');
    } else {
      const breach = rng.chance(0.15) ? between(rng, 2, 4) : 1;
      const [min, max] = FIRST_REPLY_GAP[priority ?? 'normal'];
      if (transfer && rng.chance(0.5)) doTransfer();
      const ask = rng.chance(0.35);
      // One-touch resolutions: questions that the first answer settles (first contact resolution).
      const oneTouch =
        (final === 'solved' || final === 'closed') && !ask && !transfer && !reopen &&
        (ONE_TOUCH_TOPICS.has(topic) || (topic === 'delivery' && rng.chance(0.5)));
      owed--;
      reply(between(rng, min, max) * breach, agentReply(rng, topic, text, signature(), oneTouch ? 'solve' : ask ? 'ask' : 'first'));
      if (ask) set(0, 'pending');
      if (transfer && !tags.has('transferred')) doTransfer();

      const rounds = oneTouch ? 0 : rng.weighted([[0, 40], [1, 35], [2, 18], [3, 7]] as const);
      for (let r = 0; r < rounds && room(2); r++) {
        customerSays(customerGap(), angry && rng.chance(0.6) ? 'angry' : 'calm');
        const asks = rng.chance(0.35);
        reply(agentGap(), agentReply(rng, topic, text, signature(), asks ? 'ask' : 'update'));
        if (asks) set(0, 'pending');
      }

      owed = 0;
      if (final === 'open') {
        customerSays(customerGap(), angry ? 'angry' : 'calm');
      } else if (final === 'pending') {
        if (current() !== 'pending') {
          reply(agentGap(), agentReply(rng, topic, text, signature(), 'ask'));
          set(0, 'pending');
        }
      } else if (final === 'hold') {
        reply(agentGap(), internalNote(rng, 'hold', text), false);
        set(0, 'hold');
      } else if (oneTouch) {
        set(0, 'solved');
        rate(false);
        if (final === 'closed') set(4 * DAY_S, 'closed');
      } else {
        owed = reopen ? 3 : 0;
        solve();
        if (reopen) {
          owed = 1;
          customerSays(between(rng, 6 * HOUR_S, 3 * DAY_S), 'reopen');
          reply(agentGap(), agentReply(rng, topic, text, signature(), 'update'));
          owed = 0;
          solve();
          if (angry) tags.add('reopened');
        }
        rate(reopen);
        if (final === 'closed') set(4 * DAY_S, 'closed');
      }
    }
  }

  function solve(): void {
    if (room(2) && rng.chance(0.3)) customerSays(customerGap(), 'thanks');
    reply(agentGap(), agentReply(rng, topic, text, signature(), 'solve'));
    set(0, 'solved');
  }

  function rate(reopened: boolean): void {
    if (!rng.chance(0.45)) return;
    const answered = rng.chance(0.65);
    if (!answered) {
      actions.push({ gap: DAY_S, kind: 'rating', score: 'offered', comment: null });
      return;
    }
    let bad = 0.18;
    if (angry) bad += 0.3;
    if (reopened) bad += 0.2;
    if (tags.has('transferred')) bad += 0.1;
    const score = rng.chance(bad) ? 'bad' : 'good';
    const comment = rng.chance(0.55) ? ratingComment(rng, score, text) : null;
    actions.push({ gap: between(rng, DAY_S, DAY_S + 20 * HOUR_S), kind: 'rating', score, comment });
  }

  // Anchor the end of the story: unsolved tickets were last touched recently, closed ones
  // anywhere in the last ~4 months, solved ones within the last 4 days (then they close).
  const endGap =
    final === 'closed' ? between(rng, HOUR_S, 110 * DAY_S)
    : final === 'solved' ? between(rng, HOUR_S, Math.round(3.5 * DAY_S))
    : final === 'pending' ? between(rng, DAY_S, 9 * DAY_S)
    : final === 'hold' ? between(rng, 4 * HOUR_S, 6 * DAY_S)
    : final === 'open' ? between(rng, 20 * MINUTE_S, 3 * DAY_S)
    : between(rng, 5 * MINUTE_S, 30 * HOUR_S);
  const total = actions.reduce((sum, a) => sum + a.gap, 0);
  const createdAt = now - endGap - total;

  const trackTime = rng.chance(0.45);
  const customFields: Record<string, string | number> = {};
  if (topic === 'delivery' || topic === 'refund' || topic === 'billing' || topic === 'complaint') {
    if (rng.chance(0.7)) customFields[FIELD_ORDER_NUMBER] = text.order;
  }
  const rated = actions.find((a): a is Extract<Action, { kind: 'rating' }> => a.kind === 'rating');
  if (rated && rated.score !== 'offered' && rng.chance(0.5)) {
    customFields[FIELD_SURVEY_SCORE] = rated.score === 'good' ? String(rng.int(4, 5)) : String(rng.int(1, 2));
  }
  return replay(
    {
      subject,
      description,
      priority,
      type,
      requesterId: requester.id,
      submitterId: channel === 'phone' ? agent.id : requester.id,
      organizationId: requester.organizationId,
      tags,
      customFields,
      channel,
      createdAt,
      trackTime,
    },
    actions,
  );
}

function ticketType(rng: Rng, topic: Topic): StoryTicket['type'] {
  if (rng.chance(0.15)) return null;
  switch (topic) {
    case 'howto':
    case 'account':
      return 'question';
    case 'bug':
      return rng.chance(0.1) ? 'problem' : 'incident';
    case 'cancel':
      return rng.chance(0.3) ? 'task' : 'question';
    default:
      return rng.chance(0.7) ? 'incident' : 'question';
  }
}

interface StoryBase {
  subject: string;
  description: string;
  priority: TicketPriority | null;
  type: StoryTicket['type'];
  requesterId: number;
  submitterId: number;
  organizationId: number | null;
  tags: Set<string>;
  customFields: Record<string, string | number>;
  channel: string;
  createdAt: number;
  trackTime: boolean;
}

/** Plays the actions forward from the creation time into rows. */
function replay(base: StoryBase, actions: Action[]): Story {
  let t = base.createdAt;
  let status: TicketStatus = 'new';
  let groupId: number | null = null;
  let assigneeId: number | null = null;
  let solvedAt: number | null = null;
  let totalWork = 0;
  let lastWork = 0;
  let rating: StoryTicket['rating'] = null;
  const comments: StoryComment[] = [];
  const events: EventRow[] = [];

  for (const action of actions) {
    t += action.gap;
    switch (action.kind) {
      case 'comment':
        comments.push({ authorId: action.authorId, body: action.body, isPublic: action.isPublic, channel: action.channel, createdAt: t });
        events.push({ at: t, kind: 'comment', from: action.role, to: action.isPublic ? 'public' : 'private' });
        if (action.work && base.trackTime) {
          totalWork += action.work;
          lastWork = action.work;
        }
        break;
      case 'status':
        events.push({ at: t, kind: 'status', from: events.length === 0 ? null : status, to: action.to });
        status = action.to;
        if (status === 'solved') solvedAt = t;
        else if (status !== 'closed') solvedAt = null;
        break;
      case 'group':
        events.push({ at: t, kind: 'group', from: groupId === null ? null : String(groupId), to: action.to === null ? null : String(action.to) });
        groupId = action.to;
        break;
      case 'assignee':
        events.push({ at: t, kind: 'assignee', from: assigneeId === null ? null : String(assigneeId), to: action.to === null ? null : String(action.to) });
        assigneeId = action.to;
        break;
      case 'rating':
        rating = { score: action.score, comment: action.comment, at: t };
        break;
    }
  }

  const customFields = { ...base.customFields };
  if (base.trackTime && totalWork > 0) {
    customFields[FIELD_TIME_TOTAL] = totalWork;
    customFields[FIELD_TIME_LAST] = lastWork;
  }

  return {
    ticket: {
      subject: base.subject,
      description: base.description,
      status,
      priority: base.priority,
      type: base.type,
      requesterId: base.requesterId,
      submitterId: base.submitterId,
      assigneeId,
      groupId,
      organizationId: base.organizationId,
      tags: [...base.tags].sort(),
      customFields,
      channel: base.channel,
      createdAt: base.createdAt,
      updatedAt: t,
      solvedAt,
      rating,
    },
    comments,
    events,
  };
}
