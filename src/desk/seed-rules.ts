/**
 * The demo desk's views and macros, as a team would have set them up: shared views for the
 * usual queues, one restricted to the Billing group, personal views of two agents, an inactive
 * one; macros for the replies agents send all day (written along the complaint-handling
 * sequence: acknowledge, apologise sincerely, take ownership, resolve, thank), one for Billing
 * only, one personal, one retired. Ids: views 360001..., macros 370001....
 */
import type { DeskView, MacroAction } from '../core/model.js';
import type { Db } from './db.js';
import { checkMacro } from './macros.js';
import { checkView } from './views.js';
import { DAY_S } from './time.js';

const FRONTLINE = 201;
const ESCALATIONS = 202;
const BILLING = 203;
const ALEX = 1001; // the demo desk's default user
const PRIYA = 1002;

interface SeedView {
  title: string;
  description: string;
  active?: boolean;
  owner?: number;
  group?: number;
  all: DeskView['conditions']['all'];
  any?: DeskView['conditions']['any'];
  sortBy?: 'created_at' | 'updated_at' | 'id';
  sortOrder?: 'asc' | 'desc';
}

const unsolved = { field: 'status', operator: 'less_than', value: 'solved' };

export const SEED_VIEWS: readonly SeedView[] = [
  {
    title: 'Urgent tickets',
    description: 'Unsolved tickets with urgent priority, oldest first',
    all: [unsolved, { field: 'priority', operator: 'is', value: 'urgent' }],
  },
  {
    title: 'My unsolved tickets',
    description: 'Everything assigned to me that is not solved yet',
    all: [unsolved, { field: 'assignee_id', operator: 'is', value: 'current_user' }],
    sortBy: 'updated_at',
  },
  {
    title: 'Unassigned in Billing',
    description: 'Billing tickets nobody has picked up',
    all: [unsolved, { field: 'group_id', operator: 'is', value: String(BILLING) }, { field: 'assignee_id', operator: 'is', value: '' }],
  },
  {
    title: 'Pending > 3 days',
    description: 'Waiting on the customer with no update for three days: chase or close',
    all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'updated_at', operator: 'greater_than', value: 72 }],
    sortBy: 'updated_at',
  },
  {
    title: 'Complaints and escalations',
    description: 'Unsolved complaints, or anything in the Escalations group',
    all: [unsolved],
    any: [
      { field: 'current_tags', operator: 'includes', value: 'complaint angry' },
      { field: 'group_id', operator: 'is', value: String(ESCALATIONS) },
    ],
  },
  {
    title: 'New in the last 24 hours',
    description: 'Fresh tickets nobody has answered, newest first',
    all: [{ field: 'status', operator: 'is', value: 'new' }, { field: 'NEW', operator: 'less_than', value: 24 }],
    sortOrder: 'desc',
  },
  {
    title: 'Billing: refunds and disputes',
    description: 'The Billing team only: refunds, double charges and chargebacks',
    group: BILLING,
    all: [unsolved],
    any: [{ field: 'current_tags', operator: 'includes', value: 'refund double-charge partial-refund' }],
  },
  {
    title: 'My frontline tickets waiting on us',
    description: "Alex's own: open Frontline tickets assigned to me",
    owner: ALEX,
    all: [
      { field: 'status', operator: 'is', value: 'open' },
      { field: 'group_id', operator: 'is', value: String(FRONTLINE) },
      { field: 'assignee_id', operator: 'is', value: 'current_user' },
    ],
  },
  {
    title: "Priya's callbacks",
    description: "Priya's own: phone follow-ups on hold",
    owner: PRIYA,
    all: [{ field: 'status', operator: 'is', value: 'hold' }, { field: 'assignee_id', operator: 'is', value: 'current_user' }],
  },
  {
    title: 'Holiday backlog (retired)',
    description: 'Used over the winter peak; kept inactive',
    active: false,
    all: [unsolved, { field: 'current_tags', operator: 'includes', value: 'holiday' }],
  },
];

interface SeedMacro {
  title: string;
  description: string;
  active?: boolean;
  owner?: number;
  group?: number;
  actions: MacroAction[];
}

export const SEED_MACROS: readonly SeedMacro[] = [
  {
    title: 'Close and thank',
    description: 'Confirm the fix, thank the customer, leave the door open, solve',
    actions: [
      { field: 'status', value: 'solved' },
      { field: 'current_tags', value: 'thanked' },
      {
        field: 'comment_value',
        value:
          'Hi {{ticket.requester.first_name}},\n\n' +
          "Thank you for your patience while we sorted this out. I'm glad it's resolved, and I'm marking your request as solved.\n\n" +
          "If anything still isn't right, just reply to this email: it reopens your request and comes straight back to us. " +
          'The whole conversation stays at {{ticket.url}}.\n\n' +
          '{{current_user.first_name}}',
      },
    ],
  },
  {
    title: 'Escalate to Billing',
    description: 'Hand a charge, invoice or refund question to Billing with a note, priority high',
    actions: [
      { field: 'group_id', value: String(BILLING) },
      { field: 'assignee_id', value: '' },
      { field: 'priority', value: 'high' },
      { field: 'current_tags', value: 'escalated_billing' },
      { field: 'comment_mode_is_public', value: 'false' },
      {
        field: 'comment_value',
        value:
          'Billing, over to you: {{ticket.requester.name}} needs a check of their charges on "{{ticket.title}}". ' +
          'What the customer told us is in the thread above; please reply to them directly. Escalated by {{current_user.name}}.',
      },
    ],
  },
  {
    title: 'Ask for order number',
    description: 'Acknowledge, ask for the order number so we can look it up, set pending',
    actions: [
      { field: 'status', value: 'pending' },
      { field: 'type', value: 'question' },
      { field: 'current_tags', value: 'awaiting_order_number' },
      {
        field: 'comment_value',
        value:
          'Hi {{ticket.requester.first_name}},\n\n' +
          "Thanks for getting in touch, and I'm sorry for the trouble. I want to look into this for you straight away: " +
          'could you send me your order number? It starts with "DO-" and is in the confirmation email we sent you.\n\n' +
          "As soon as I have it I'll check what happened and come back to you.\n\n" +
          '{{current_user.signature}}',
      },
    ],
  },
  {
    title: 'Apology: delay',
    description: 'A sincere apology for a slow answer, ownership of the next step, priority high',
    actions: [
      { field: 'priority', value: 'high' },
      { field: 'status', value: 'open' },
      { field: 'assignee_id', value: 'current_user' },
      { field: 'current_tags', value: 'apologised' },
      { field: 'remove_tags', value: 'waiting_on_us' },
      {
        field: 'comment_value',
        value:
          'Hi {{ticket.requester.first_name}},\n\n' +
          "I'm sorry we kept you waiting so long for an answer. That isn't the service you should get from us, " +
          "and I understand how frustrating it is to chase.\n\n" +
          "I've taken your request myself and I'm on it now. You'll hear from me by the end of the next business day, " +
          "with an answer or with exactly where things stand.\n\n" +
          '{{current_user.signature}}',
      },
    ],
  },
  {
    title: 'Complaint: acknowledge and own',
    description: 'First answer to a complaint: listen, validate, take ownership; type problem, assigned to me',
    actions: [
      { field: 'type', value: 'problem' },
      { field: 'assignee_id', value: 'current_user' },
      { field: 'current_tags', value: 'complaint complaint_acknowledged' },
      {
        field: 'comment_value',
        value:
          'Hi {{ticket.requester.first_name}},\n\n' +
          "Thank you for telling us, and I'm sorry: you're right to be unhappy about this. " +
          "I've read everything you sent, and I'm taking this on personally so you don't have to explain it again.\n\n" +
          "Here's what happens next: I'm looking into what went wrong today, and I'll write to you with what we'll do to put it right.\n\n" +
          '{{current_user.signature}}',
      },
    ],
  },
  {
    title: 'Refund issued',
    description: 'Billing only: confirm a refund and solve',
    group: BILLING,
    actions: [
      { field: 'status', value: 'solved' },
      { field: 'current_tags', value: 'refund_issued' },
      {
        field: 'comment_value',
        value:
          "Hi {{ticket.requester.first_name}},\n\nI've issued your refund today. It usually shows on your statement within 5 to 10 business days, " +
          'depending on your bank.\n\n{{current_user.signature}}',
      },
    ],
  },
  {
    title: 'My sign-off: check back tomorrow',
    description: "Alex's own: tell the customer I'll check back tomorrow, set pending",
    owner: ALEX,
    actions: [
      { field: 'status', value: 'pending' },
      {
        field: 'comment_value',
        value: "Hi {{ticket.requester.first_name}},\n\nI'll check on this again tomorrow morning and let you know where it stands.\n\n{{current_user.first_name}}",
      },
    ],
  },
  {
    title: 'Holiday hours notice (retired)',
    description: 'Used over the winter peak; kept inactive',
    active: false,
    actions: [{ field: 'comment_value', value: 'Our team is on reduced hours over the holidays; we will answer within two business days.' }],
  },
];

export const FIRST_VIEW_ID = 360_001;
export const FIRST_MACRO_ID = 370_001;

/** Writes the views and macros (checked first: a seed never stores a rule the desk cannot run). */
export function seedRules(db: Db, now: number): void {
  const insertView = db.prepare(
    'INSERT INTO views (id, title, description, active, position, owner_id, group_id, conditions, execution, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  SEED_VIEWS.forEach((v, i) => {
    const conditions = { all: v.all, any: v.any ?? [] };
    const execution = { sort_by: v.sortBy ?? 'created_at', sort_order: v.sortOrder ?? 'asc', group_by: null };
    checkView(conditions, execution);
    const at = now - (200 - i * 7) * DAY_S;
    insertView.run([FIRST_VIEW_ID + i, v.title, v.description, v.active === false ? 0 : 1, i + 1, v.owner ?? null, v.group ?? null, JSON.stringify(conditions), JSON.stringify(execution), at, at]);
  });
  const insertMacro = db.prepare(
    'INSERT INTO macros (id, title, description, active, position, owner_id, group_id, actions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  SEED_MACROS.forEach((m, i) => {
    checkMacro(m.actions);
    const at = now - (180 - i * 5) * DAY_S;
    insertMacro.run([FIRST_MACRO_ID + i, m.title, m.description, m.active === false ? 0 : 1, i + 1, m.owner ?? null, m.group ?? null, JSON.stringify(m.actions), at, at]);
  });
}
