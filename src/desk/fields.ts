/**
 * The desk's ticket fields: Zendesk's system fields plus the custom ones deskops reads.
 * Time tracking follows the Zendesk Time Tracking app's convention of two integer fields.
 */
export const FIELD_TIME_TOTAL = 9001;
export const FIELD_TIME_LAST = 9002;
export const FIELD_SURVEY_SCORE = 9003;
export const FIELD_ORDER_NUMBER = 9004;

export interface FieldDefinition {
  id: number;
  type: string;
  title: string;
  description: string;
  key: string | null;
  custom: boolean;
}

export const TICKET_FIELDS: readonly FieldDefinition[] = [
  { id: 8001, type: 'subject', title: 'Subject', description: '', key: null, custom: false },
  { id: 8002, type: 'description', title: 'Description', description: 'Request details', key: null, custom: false },
  { id: 8003, type: 'status', title: 'Status', description: 'Request status', key: null, custom: false },
  { id: 8004, type: 'tickettype', title: 'Type', description: 'Request type', key: null, custom: false },
  { id: 8005, type: 'priority', title: 'Priority', description: 'Request priority', key: null, custom: false },
  { id: 8006, type: 'group', title: 'Group', description: 'Request group', key: null, custom: false },
  { id: 8007, type: 'assignee', title: 'Assignee', description: 'Agent assigned to your request', key: null, custom: false },
  {
    id: FIELD_TIME_TOTAL,
    type: 'integer',
    title: 'Total time spent (sec)',
    description: 'Time Tracking: total seconds agents spent on the ticket',
    key: 'total_time_spent_sec',
    custom: true,
  },
  {
    id: FIELD_TIME_LAST,
    type: 'integer',
    title: 'Time spent last update (sec)',
    description: 'Time Tracking: seconds spent on the last update',
    key: 'time_spent_last_update_sec',
    custom: true,
  },
  { id: FIELD_SURVEY_SCORE, type: 'text', title: 'Survey score', description: 'Score given in the follow-up survey', key: 'survey_score', custom: true },
  { id: FIELD_ORDER_NUMBER, type: 'text', title: 'Order number', description: 'The order the request is about', key: 'order_number', custom: true },
];

export const CUSTOM_FIELD_IDS: readonly number[] = TICKET_FIELDS.filter((f) => f.custom).map((f) => f.id);
