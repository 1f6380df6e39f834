/**
 * Text fragments for the demo data: subjects, customer messages, agent replies, internal notes
 * and survey comments, by topic. Builders combine fragments and fill {slots} from the PRNG so
 * that tickets read differently from one another.
 */
import type { Rng } from './prng.js';

export type Topic = 'delivery' | 'billing' | 'refund' | 'complaint' | 'cancel' | 'howto' | 'bug' | 'account';

export const TOPIC_WEIGHTS: ReadonlyArray<readonly [Topic, number]> = [
  ['delivery', 24],
  ['billing', 14],
  ['refund', 12],
  ['complaint', 10],
  ['cancel', 7],
  ['howto', 15],
  ['bug', 11],
  ['account', 7],
];

export const TOPIC_TAGS: Record<Topic, string[]> = {
  delivery: ['delivery'],
  billing: ['billing'],
  refund: ['refund'],
  complaint: ['complaint'],
  cancel: ['cancellation'],
  howto: ['how-to'],
  bug: ['bug'],
  account: ['account'],
};

/** Extra tags a topic may also get. */
export const TOPIC_EXTRA_TAGS: Record<Topic, string[]> = {
  delivery: ['late-delivery', 'damaged', 'wrong-item', 'carrier', 'international'],
  billing: ['double-charge', 'invoice', 'vat', 'card-declined'],
  refund: ['billing', 'partial-refund', 'return'],
  complaint: ['refund', 'delivery', 'escalated', 'angry'],
  cancel: ['churn-risk', 'subscription', 'refund'],
  howto: ['mobile-app', 'web', 'export', 'settings'],
  bug: ['mobile-app', 'checkout', 'login', 'ios', 'android'],
  account: ['password', '2fa', 'email-change'],
};

const PRODUCTS = [
  'standing desk', 'espresso machine', 'running shoes', 'winter jacket', 'wireless headphones',
  'yoga mat', 'kitchen scale', 'office chair', 'air purifier', 'backpack', 'desk lamp',
  'blender', 'phone case', 'smart watch', 'duvet set', 'cast iron pan', 'bike helmet', 'monitor arm',
];
const PLANS = ['Pro plan', 'Team plan', 'Basic subscription', 'annual plan', 'monthly membership', 'Plus plan'];
const FEATURES = [
  'export my order history', 'change my delivery address', 'add a second user', 'download an invoice',
  'set up two-factor authentication', 'update my card', 'pause my subscription', 'merge two accounts',
  'change the language', 'turn off the marketing emails', 'connect the mobile app', 'track my parcel',
];
const DEVICES = ['iPhone 15', 'Pixel 8', 'Samsung Galaxy S23', 'iPad', 'Chrome on Windows', 'Safari on macOS', 'Firefox'];
const CARRIERS = ['DHL', 'UPS', 'FedEx', 'the post office', 'DPD', 'GLS'];
const WHEN = ['last Monday', 'last week', 'on the 3rd', 'ten days ago', 'two weeks ago', 'yesterday', 'on Friday', 'at the start of the month'];
const CURRENCIES = ['$', '€', '£'];

export interface TextContext {
  first: string;
  agentFirst: string;
  order: string;
  product: string;
  plan: string;
  feature: string;
  device: string;
  carrier: string;
  when: string;
  days: number;
  amount: string;
  invoice: string;
  bug: string;
}

export function makeTextContext(rng: Rng, first: string, agentFirst: string): TextContext {
  const currency = rng.pick(CURRENCIES);
  return {
    first,
    agentFirst,
    order: `#${rng.int(10_000, 999_999)}`,
    product: rng.pick(PRODUCTS),
    plan: rng.pick(PLANS),
    feature: rng.pick(FEATURES),
    device: rng.pick(DEVICES),
    carrier: rng.pick(CARRIERS),
    when: rng.pick(WHEN),
    days: rng.int(3, 21),
    amount: `${currency}${rng.int(9, 480)}.${String(rng.int(0, 99)).padStart(2, '0')}`,
    invoice: `INV-${rng.int(2025, 2026)}-${rng.int(1000, 9999)}`,
    bug: `BUG-${rng.int(100, 2999)}`,
  };
}

export function fill(template: string, c: TextContext): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = (c as unknown as Record<string, string | number>)[key];
    return value === undefined ? `{${key}}` : String(value);
  });
}

const SUBJECTS: Record<Topic, string[]> = {
  delivery: [
    'Where is my order {order}?', 'Order {order} still not delivered', 'Parcel stuck with {carrier}',
    'Late delivery - order {order}', 'My {product} arrived damaged', 'Wrong item in my package',
    'Tracking has not moved in {days} days', 'Delivery marked as delivered but nothing arrived',
    'Missing part for my {product}', 'Can you change the delivery date?',
  ],
  billing: [
    'Charged twice for order {order}', 'Double charge on my card', 'Invoice {invoice} is wrong',
    'Billing error on my {plan}', 'Why was I charged {amount}?', 'VAT missing from invoice {invoice}',
    'Payment taken but order cancelled', 'Unexpected renewal charge', 'Card declined but money left my account',
  ],
  refund: [
    'Refund request for order {order}', 'Still waiting for my refund', 'Refund not received after {days} days',
    'Returned the {product}, where is my money?', 'Partial refund is wrong', 'Please refund {amount}',
    'Refund for the damaged {product}',
  ],
  complaint: [
    'Terrible service', 'Third time writing about order {order}', 'Very disappointed with your support',
    'Nobody is answering me', 'Complaint about your courier', 'This is unacceptable',
    'I want to speak to a manager', 'Worst experience ever with order {order}',
  ],
  cancel: [
    'Cancel my subscription', 'Please cancel my {plan}', 'Cancel order {order}', 'How do I cancel?',
    'Cancel and refund', 'Stop the automatic renewal',
  ],
  howto: [
    'How do I {feature}?', 'Question about {feature}', 'Is it possible to {feature}?', 'Help with {feature}',
    'Can I {feature} from the app?', 'Where can I {feature}?',
  ],
  bug: [
    'App crashes on {device}', 'Error at checkout', 'Cannot log in since the update', 'Page keeps loading forever',
    'Discount code not applied', 'Blank screen on {device}', 'Error 500 when I try to {feature}',
    'Notifications not working on {device}',
  ],
  account: [
    'Cannot reset my password', 'Change the email on my account', 'Locked out of my account',
    'Two-factor code never arrives', 'Delete my account', 'Update my billing address',
  ],
};

const OPENERS = ['Hi,', 'Hello,', 'Hi there,', 'Good morning,', 'Hello support team,', 'Hey,', 'Dear support,', ''];

const DETAILS: Record<Topic, string[]> = {
  delivery: [
    'I ordered a {product} {when} (order {order}) and it still has not arrived.',
    'The tracking page for order {order} has said "in transit" for {days} days now.',
    '{carrier} says the parcel was delivered but there was nothing at my door.',
    'My {product} arrived today but the box was crushed and the item is broken.',
    'I received a completely different item instead of the {product} I ordered.',
    'The delivery was due {when} and I took a day off work to wait for it.',
    'One of the parts for the {product} is missing from the box.',
  ],
  billing: [
    'I was charged {amount} twice for order {order}.',
    'My bank statement shows two payments of {amount} on the same day.',
    'Invoice {invoice} shows the wrong company name and no VAT number.',
    'My {plan} renewed at {amount} even though I downgraded last month.',
    'The payment failed at checkout but {amount} was still taken from my card.',
    'I do not recognise a charge of {amount} from you {when}.',
  ],
  refund: [
    'I returned the {product} {when} and still have not received the refund of {amount}.',
    'You promised a refund for order {order} {days} days ago.',
    'The refund I got was less than what I paid ({amount}).',
    'Please refund order {order}; the {product} does not work.',
    'The return label was used {when} and the tracking shows you received it.',
  ],
  complaint: [
    'This is the third time I\'m writing about order {order} and nobody has helped me.',
    'I have been waiting {days} days for an answer. This is not how you treat customers.',
    'Your courier left my {product} in the rain and now it is ruined.',
    'Every time I call I get a different answer and nothing gets fixed.',
    'I have been a customer for years and I have never been treated like this.',
  ],
  cancel: [
    'I would like to cancel my {plan} effective immediately.',
    'Please cancel order {order}, I found it cheaper elsewhere.',
    'I no longer need the service and want to stop the renewal of my {plan}.',
    'I can\'t find the cancel button anywhere in my account.',
  ],
  howto: [
    'I am trying to {feature} but I can\'t find where to do it.',
    'Could you explain how to {feature}? The help article seems out of date.',
    'Is there a way to {feature} without calling you?',
    'A colleague asked me to {feature} and I am not sure how.',
  ],
  bug: [
    'The app crashes on my {device} every time I open the orders tab.',
    'At checkout I get "Something went wrong" and the order is not placed.',
    'Since the last update I cannot log in; it says my password is wrong but it is not.',
    'When I try to {feature} the page shows an error 500.',
    'The discount code is accepted but the total does not change.',
    'On {device} the screen just stays white after the splash screen.',
  ],
  account: [
    'I asked for a password reset three times but no email arrives.',
    'I need to change the email address on my account to a new one.',
    'My account got locked after I typed the wrong password.',
    'The two-factor code SMS never arrives on my phone.',
    'Please delete my account and all my data.',
  ],
};

const ASKS: Record<Topic, string[]> = {
  delivery: ['Can you tell me where it is?', 'Please send a replacement.', 'When will it arrive?', 'What are you going to do about it?'],
  billing: ['Please refund the extra charge.', 'Can you send a corrected invoice?', 'Can you explain this charge?', 'Please fix this.'],
  refund: ['When will I get my money back?', 'Please process the refund.', 'Can you check what happened?'],
  complaint: ['I want a refund.', 'I expect a call back today.', 'Fix this now.', 'I want to know who is responsible.'],
  cancel: ['Please confirm the cancellation.', 'Will I get a refund for the unused time?', 'Please confirm by email.'],
  howto: ['Thanks in advance!', 'Any help appreciated.', 'Thank you.', 'Is there a guide for this?'],
  bug: ['Is this a known issue?', 'Can you fix it?', 'I have tried reinstalling already.', 'Screenshot attached.'],
  account: ['Please help.', 'Can you do it for me?', 'How long will this take?'],
};

const CLOSINGS = ['Thanks', 'Thank you', 'Regards', 'Best', 'Cheers', 'Kind regards', ''];

const ANGRY_ADDITIONS = [
  'This is the THIRD time I\'m writing!!!',
  'If this is not fixed today I will cancel my account.',
  'I want a REFUND, not another excuse.',
  'Nobody has answered my emails!!',
  'I am going to leave a review about this.',
  'UNACCEPTABLE.',
  'I have been waiting for {days} days!!!',
];

export interface CustomerMessageOptions {
  angry: boolean;
  channel: string;
}

export function subjectFor(rng: Rng, topic: Topic, c: TextContext, angry: boolean): string {
  let subject = fill(rng.pick(SUBJECTS[topic]), c);
  if (angry) {
    const style = rng.int(0, 3);
    if (style === 0) subject = subject.toUpperCase();
    else if (style === 1) subject = `${subject.replace(/[?.]$/, '')}!!!`;
    else if (style === 2) subject = `URGENT: ${subject}`;
    else subject = `${subject.replace(/[?.]$/, '')} - third time asking`;
  }
  return subject;
}

export function customerDescription(rng: Rng, topic: Topic, c: TextContext, opts: CustomerMessageOptions): string {
  const details = rng.sample(DETAILS[topic], rng.int(1, 2)).map((d) => fill(d, c));
  if (opts.channel === 'chat') {
    return [`${c.first}: ${details.join(' ')}`, `${c.first}: ${fill(rng.pick(ASKS[topic]), c)}`].join('\n');
  }
  const lines: string[] = [];
  const opener = rng.pick(OPENERS);
  if (opener) lines.push(opener, '');
  let body = details.join(' ');
  if (opts.angry) {
    body += ` ${fill(rng.pick(ANGRY_ADDITIONS), c)}`;
    if (rng.chance(0.4)) body += ` ${fill(rng.pick(ANGRY_ADDITIONS), c)}`;
  }
  lines.push(body, '', fill(rng.pick(ASKS[topic]), c));
  const closing = rng.pick(CLOSINGS);
  if (closing) lines.push('', `${closing},`, c.first);
  return lines.join('\n');
}

export function phoneSummary(rng: Rng, topic: Topic, c: TextContext): string {
  const detail = fill(rng.pick(DETAILS[topic]), c)
    .replace(/\bI\b/g, 'they')
    .replace(/\bmy\b/gi, 'their')
    .replace(/\bme\b/g, 'them')
    .replace(/\bam\b/g, 'are');
  const outcome = rng.pick(['Promised a follow-up by email.', 'Customer asked for an update by email.', 'Logged during the call.']);
  return `Call from ${c.first}. Summary: ${detail} ${outcome}`;
}

const FOLLOW_UPS = {
  calm: [
    'Any update on this?', 'Just checking in on this one.', 'Hi, is there any news?', 'Thanks for the reply. I\'m still waiting though.',
    'I sent the photo you asked for.', 'Here is the order number again: {order}.', 'It still isn\'t working on {device}.',
    'I checked again and nothing has changed.', 'Could you give me an estimate?',
  ],
  angry: [
    'Still NOTHING. This is ridiculous.', 'I have been waiting {days} days!!! Where is my {product}?',
    'This is the third time I\'m writing. Please escalate this.', 'Why does nobody read my messages?',
    'I want my money back. Now.', 'If I don\'t hear back today I\'m disputing the charge with my bank!',
  ],
  thanks: [
    'Thanks, that worked!', 'Perfect, thank you so much.', 'Got it, all good now.', 'Great, received it today. Thanks!',
    'Thank you for sorting this out.', 'That did the trick, cheers.',
  ],
  reopen: [
    'Actually it happened again today.', 'Sorry, the refund still hasn\'t arrived.', 'The replacement is broken too.',
    'It worked for a day and now the same error is back.', 'I was charged again this month!',
  ],
} as const;

export function customerFollowUp(rng: Rng, kind: keyof typeof FOLLOW_UPS, c: TextContext): string {
  return fill(rng.pick(FOLLOW_UPS[kind]), c);
}

const GREETINGS = ['Hi {first},', 'Hello {first},', 'Hi {first}, thanks for reaching out.', 'Dear {first},', 'Hi {first}, thanks for your patience.'];
const EMPATHY = [
  'I\'m sorry about the trouble with this.', 'I understand how frustrating this must be.',
  'Sorry for the delay in getting back to you.', 'Thanks for the details, that really helps.',
  'I completely understand, and I\'m sorry we let you down.', 'Thank you for bearing with us.',
];
const ACTIONS: Record<Topic, string[]> = {
  delivery: [
    'I checked with {carrier} and your parcel is on its way; it should arrive within 2 business days.',
    'I\'ve sent a replacement {product} by express shipping; you\'ll get the tracking number by email.',
    'The carrier confirmed the parcel was lost, so I\'ve reshipped order {order} at no cost.',
  ],
  billing: [
    'I can see the duplicate charge of {amount} and I\'ve refunded it; it takes 5-7 business days to show.',
    'I\'ve corrected invoice {invoice} and attached the new version.',
    'The renewal happened before the downgrade took effect; I\'ve refunded the difference.',
  ],
  refund: [
    'I\'ve issued the refund of {amount} to your original payment method.',
    'The return was received {when}; the refund has now been processed.',
    'I\'ve escalated the refund to our finance team and will update you as soon as it is processed.',
  ],
  complaint: [
    'I\'ve reviewed the whole history of order {order} and I\'m escalating this personally.',
    'I\'ve refunded {amount} as a goodwill gesture and flagged the issue with our courier.',
    'A team lead will call you back today to make this right.',
  ],
  cancel: [
    'I\'ve cancelled your {plan}; you won\'t be charged again.',
    'Order {order} has been cancelled and the payment released.',
    'Your renewal is switched off; you keep access until the end of the period.',
  ],
  howto: [
    'You can {feature} under Settings > Account; here is a step-by-step guide.',
    'Good question! In the app, open the menu, tap Account, then choose the option to {feature}.',
    'I\'ve linked our help article that shows how to {feature}.',
  ],
  bug: [
    'Our engineers are aware of this ({bug}) and a fix is being tested.',
    'Could you try clearing the app cache? If it still happens, we\'ll escalate it to engineering.',
    'Thanks for the report; I\'ve reproduced it on {device} and logged it as {bug}.',
  ],
  account: [
    'I\'ve sent a fresh password reset link; it\'s valid for 24 hours.',
    'I\'ve updated the email on your account as requested.',
    'Your account is unlocked now; you can log in again.',
  ],
};
const INFO_ASKS: Record<Topic, string[]> = {
  delivery: [
    'Could you send us a photo of the damaged box?',
    'Could you confirm your delivery address?',
    'Could you check with your neighbours in case it was left with them?',
  ],
  billing: [
    'Could you send the last four digits of the card that was charged?',
    'Could you forward the bank statement line?',
    'Could you confirm the VAT number you\'d like on the invoice?',
  ],
  refund: ['Could you send the return tracking number?', 'Could you confirm the bank account the refund should go to?'],
  complaint: ['Could you tell us a good time to call you?', 'Could you confirm the order number so I can look into it?'],
  cancel: [
    'Could you confirm that you also want the pending order cancelled?',
    'Could you tell us why you\'re leaving? It helps us improve.',
  ],
  howto: ['Could you tell me which version of the app you\'re using?', 'Does that answer your question?'],
  bug: [
    'Could you send a screenshot of the error?',
    'Which app version do you have installed?',
    'Could you try again and let me know the exact time it fails?',
  ],
  account: ['Could you confirm the new email address?', 'Could you confirm your date of birth for security?'],
};
const SOLVE_LINES = [
  'I\'ll mark this as solved, but just reply if anything else comes up.',
  'Glad we could sort this out!', 'Let me know if there\'s anything else I can do.',
  'Happy to help - have a great day.',
];

export function agentReply(
  rng: Rng,
  topic: Topic,
  c: TextContext,
  signature: string,
  purpose: 'first' | 'update' | 'ask' | 'solve',
): string {
  const lines = [fill(rng.pick(GREETINGS), c), ''];
  const parts: string[] = [];
  if (purpose === 'first' || rng.chance(0.5)) parts.push(rng.pick(EMPATHY));
  if (purpose === 'ask') parts.push(fill(rng.pick(INFO_ASKS[topic]), c));
  else parts.push(fill(rng.pick(ACTIONS[topic]), c));
  if (purpose === 'solve') parts.push(rng.pick(SOLVE_LINES));
  lines.push(parts.join(' '), '', signature);
  return lines.join('\n');
}

const NOTES = {
  general: [
    'Checked the order in the admin panel: payment captured, shipment created.',
    'Customer is a repeat contact, keep replies short and concrete.',
    'Looked at the logs, nothing unusual on our side.',
    'Called the customer, no answer. Left a voicemail.',
    'Warehouse confirms the item was packed {when}.',
  ],
  hold: [
    'Waiting on the warehouse to confirm stock for the replacement.',
    'Waiting on engineering for {bug}; putting on hold.',
    'Finance needs to approve the refund of {amount}, on hold until then.',
    'Waiting on {carrier} to complete their investigation.',
  ],
  vip: ['VIP customer - please prioritise.', 'Account manager asked to be kept in the loop (VIP).'],
} as const;

export function internalNote(rng: Rng, kind: keyof typeof NOTES, c: TextContext): string {
  return fill(rng.pick(NOTES[kind]), c);
}

export function transferNote(rng: Rng, fromGroup: string, toGroup: string, c: TextContext): string {
  const reasons = [
    'needs a refund decision', 'double charge on invoice {invoice}', 'customer is asking for a manager',
    'looks like a bug ({bug})', 'billing question, not a delivery one', 'escalating after the third contact',
  ];
  return `Transferring from ${fromGroup} to ${toGroup}: ${fill(rng.pick(reasons), c)}.`;
}

const RATING_COMMENTS = {
  good: [
    'Quick and helpful, thanks!', '{agentFirst} was great.', 'Solved on the first reply.', 'Very friendly support.',
    'Thanks for sorting it so fast.', 'Great service as always.',
  ],
  bad: [
    'Took way too long.', 'Still not resolved.', 'Had to write three times before anyone helped.',
    'Nobody actually read my message.', 'The refund took forever.', 'Canned answers, no real help.',
  ],
} as const;

export function ratingComment(rng: Rng, score: 'good' | 'bad', c: TextContext): string {
  return fill(rng.pick(RATING_COMMENTS[score]), c);
}

export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Oliver', 'Sophia', 'Elijah', 'Isabella', 'James', 'Mia', 'Lucas',
  'Amelia', 'Mateo', 'Harper', 'Ethan', 'Evelyn', 'Aiden', 'Chloe', 'Leo', 'Zoe', 'Omar', 'Aisha', 'Yuki',
  'Hannah', 'Jonas', 'Clara', 'Tomás', 'Ines', 'Ravi', 'Anika', 'Kwame', 'Nora', 'Felix', 'Maya', 'Hugo',
  'Sara', 'Ivan', 'Lucia', 'Marek', 'Grace', 'Daniel', 'Chen', 'Layla', 'Samuel', 'Elif', 'Pablo', 'Freya',
];
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Lopez', 'Wilson', 'Anderson', 'Taylor',
  'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott', 'Green',
  'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Novak', 'Kowalski', 'Schmidt', 'Rossi',
  'Dubois', 'Silva', 'Yilmaz', 'Nakamura', 'Patel', 'Okoro', 'Jensen', 'Larsen', 'Costa', 'Ivanova', 'Haddad',
];

const ORG_PREFIXES = [
  'Northwind', 'Blue Harbor', 'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Cyberdyne', 'Hooli',
  'Vandelay', 'Soylent', 'Pied Piper', 'Aperture', 'Tyrell', 'Oceanic', 'Gringotts', 'Monarch', 'Sterling',
  'Bluth', 'Dunder', 'Prestige', 'Wonka', 'Oscorp', 'Massive', 'Nakatomi', 'Zorg', 'Kramerica', 'Duff', 'Lacuna',
];
const ORG_SUFFIXES = [
  'Traders', 'Foods', 'Logistics', 'Studio', 'Labs', 'Outfitters', 'Bakery', 'Dental', 'Consulting', 'Media',
  'Hotels', 'Fitness', 'Florists', 'Cycles', 'Coffee', 'Architects', 'Press', 'Games', 'Health', 'Motors',
];
export const ORG_TAGS = ['enterprise', 'smb', 'startup', 'partner', 'reseller', 'education', 'nonprofit', 'trial'];

export function orgName(rng: Rng, taken: Set<string>): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${rng.pick(ORG_PREFIXES)} ${rng.pick(ORG_SUFFIXES)}`;
    if (!taken.has(name)) return name;
  }
  let n = 2;
  const base = `${rng.pick(ORG_PREFIXES)} ${rng.pick(ORG_SUFFIXES)}`;
  while (taken.has(`${base} ${n}`)) n++;
  return `${base} ${n}`;
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
