/**
 * Surveys: send CSAT, NPS and CES requests to solved tickets, collect the answers, close the
 * loop on detractors, and report. Sends and collection are bulk writes on the same machinery
 * as follow-up sweeps (services/bulk: budget, journal, lock, update_many executor): each
 * ticket's change carries a marker tag in the same update as its comment, as a safe update,
 * so it lands exactly once however the run is interrupted; running it again finishes the work.
 *
 *   planSurveySend      eligible solved tickets: not surveyed before, requester not surveyed
 *                       within the fatigue window, one ticket per requester per run
 *   executeSurveySend   renders each survey from its template and sends the batches
 *   planSurveyCollect   surveyed tickets with a reply from the requester, the score read (a
 *                       reply with none is for a person; an out-of-office reply is skipped)
 *   executeSurveyCollect  stores each score (field + tag), flags what needs a person, and
 *                       reopens detractors' tickets for their group with an internal note
 *   surveyReport        response rate, distribution, CSAT %, NPS, CES mean, the review queue
 *
 * Reading scores and the report math are pure (core/survey.ts). The parts live in survey/:
 * send.ts, collect.ts, report.ts, and shared.ts for what they share. Each takes an optional
 * TicketSource (the replica) to select tickets from instead of search.
 */
export { DEFAULT_FATIGUE_DAYS, DEFAULT_SURVEY_STATUSES, SURVEY_KIND, followupOfTag, type BulkRunOptions, type Skip } from './survey/shared.js';
export { executeSurveySend, planSurveySend, surveyTemplate, type SendPlan, type SendPlanOptions, type SendResult } from './survey/send.js';
export {
  collectChange,
  collectPreview,
  executeSurveyCollect,
  findScoreField,
  planSurveyCollect,
  recordSurveyScore,
  type Answer,
  type CollectOptions,
  type CollectPlan,
  type CollectResult,
} from './survey/collect.js';
export { surveyReport, type ReportBy, type ReportOptions, type ReviewRow, type SurveyReport } from './survey/report.js';
