import { Option, type Command } from 'commander';
import { completeFrom } from '../../completion-values.js';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';

/** `survey`: CSAT, NPS and CES requests, answer collection, detractor follow-ups and the report. */
export function registerSurveyCommands(program: Command, ctx: CliContext): void {
  const survey = program
    .command('survey')
    .description('CSAT, NPS and CES surveys: send them, collect the answers, follow up detractors, report')
    .addHelpText(
      'after',
      `
Scales (the customer answers by replying with a number):
  CSAT  1-5   how satisfied; 4-5 count as satisfied; 1-2 are detractors
  NPS   0-10  how likely to recommend; promoters 9-10, passives 7-8, detractors 0-6
  CES   1-7   agreement with "the company made it easy to handle my issue":
              7 = strongly agree = least effort, so HIGHER IS BETTER; 1-3 are detractors

Tags on the ticket: survey_<type>_sent and survey_sent_at_<UTC minute> when sent; the score
as <type>_<n> (e.g. nps_9) plus the "Survey score" field when collected; survey_review when
a person must read the answer; survey_detractor and survey_followup on reopened detractors.

Examples:
  $ deskops survey send --type nps --since 30d
  $ deskops survey send --type csat --since 7d --yes --json
  $ deskops survey collect
  $ deskops survey report --by group`,
    );

  survey
    .command('send')
    .description('post a survey as a public reply on solved tickets, once per ticket, sparing requesters surveyed lately')
    .option('--type <type>', 'csat, nps or ces')
    .option('--since <period>', 'tickets solved within this period: 7d, 4w, 3m', '7d')
    .option('--ticket <ids...>', 'these tickets only (ids, or comma-separated)')
    .addOption(completeFrom(new Option('--template <name>', 'survey template (default: survey-<type>)'), 'templates'))
    .option('--locale <locale>', 'template locale, e.g. es (falls back to en)')
    .option('--status <list>', 'statuses surveyed, comma-separated (default: solved, or the survey.statuses setting)')
    .option('--fatigue-days <n>', 'skip requesters surveyed (any type) within this many days (default 30, or the survey.fatigue_days setting)')
    .option('--dry-run', 'show what would be sent and why others are skipped; nothing is written')
    .option('-y, --yes', 'do not ask (required when not interactive)')
    .option('--max-rate <n>', 'requests per minute at most (default: 90% of the desk\'s limit)')
    .option('--batch-size <n>', 'tickets per update_many request, 1 to 100', '100')
    .option('--max-attempts <n>', 'times one survey is tried before it is reported failed', '4')
    .option('--json', 'print the summary as a JSON object (eligible, sent, skipped, failed, skips, failures)')
    .addHelpText(
      'after',
      `
Skipped, with the reason listed: tickets surveyed before (any type), closed tickets (the desk
refuses changes), requesters surveyed within the fatigue window, and all but the latest ticket
of a requester in this run. Sends in update_many batches, each survey with its marker tag in
the same update, so running the command again (after a failure, Ctrl-C or a crash) sends only
what is missing. Exit 3 when some failed.

Examples:
  $ deskops survey send --type nps --since 30d
  $ deskops survey send --type csat --since 7d --yes --json | jq '{eligible, sent, skipped, failed}'
  $ deskops survey send --type ces --ticket 4211 4212 --dry-run
  $ deskops survey send --type csat --locale es --fatigue-days 60`,
    )
    .action(async (opts) => (await import('./send.js')).surveySend(ctx, opts));

  survey
    .command('collect')
    .description('read the replies to surveys, store the scores, flag unclear answers, reopen detractors for follow-up')
    .option('--since <period>', 'surveys sent within this period: 7d, 4w, 3m', '30d')
    .option('--type <type>', 'only this survey type: csat, nps or ces')
    .option('--dry-run', 'show the answers read; nothing is written')
    .option('--max-rate <n>', 'requests per minute at most (default: 90% of the desk\'s limit)')
    .option('--json', 'print the result as a JSON object')
    .addHelpText(
      'after',
      `
How a score is read from the customer's reply (an HTML reply is read as text; the quoted
survey, reply headers and Outlook blocks in English, French, German, Spanish, Dutch, Italian
and Portuguese, a "--" signature or a closing line with a name under it are cut off first;
dates, times, money, phone, ticket and order numbers are not scores). When in doubt a person
reads it; a score is never guessed:
  "9", "9/10", "8 von 10", "4 sur 5", "I'd give it a 9", "nine", "neuf", "zehn", "diez",
  "9 - quick and friendly", "#9"  -> 9
  "Very satisfied" -> CSAT 5, "⭐⭐⭐⭐" -> CSAT 4, "Extremely likely" -> NPS 10,
  "Strongly agree" -> CES 7 (the answers the survey names, in words)
  a number that is not an answer ("I had to call 4 times", "2 days late"), two different
  numbers ("7 or 8", "8, then 9 in a second reply"), a negated or hedged one ("Definitely not
  0", "maybe 9"), a fraction on another scale ("4/5" on NPS), a decimal, a number off the
  scale, scale words the survey does not name ("agree"), no score at all ("thanks!")
  -> flagged for review (survey_review, an internal note quoting the reply)
  an automatic reply (out of office)  -> skipped, listed under "automatic"; the survey waits

A score is stored as a tag (csat_4, nps_9, ces_6) and in the "Survey score" field. Detractors
(CSAT 1-2, NPS 0-6, CES 1-3) are reopened for their group with an internal note quoting the
answer and tagged survey_followup, so they show in \`deskops queue\`; when the ticket was
closed meanwhile, a follow-up ticket is made for its group instead. Another answer sets a
ticket solved when surveyed back to solved, unless a reply asks for more (a question, a
request). Safe to run again: nothing is stored twice.

Examples:
  $ deskops survey collect
  $ deskops survey collect --since 7d --type nps --dry-run
  $ deskops survey collect --json | jq '.answers[] | select(.detractor)'`,
    )
    .action(async (opts) => (await import('./collect.js')).surveyCollect(ctx, opts));

  addOutputOptions(
    survey
      .command('report')
      .description('response rate, score distribution, CSAT %, NPS, CES mean and the review queue')
      .option('--since <period>', 'surveys sent within this period: 7d, 4w, 3m', '30d')
      .option('--by <dimension>', 'split by group, agent or channel'),
    'rows',
  )
    .addHelpText(
      'after',
      `
SCORE is CSAT: % of answers 4-5; NPS: % promoters (9-10) minus % detractors (0-6), from -100
to +100; CES: the mean on 1-7 where 7 = least effort (higher is better). Response rate is
answered / sent. The desk's own good/bad satisfaction ratings are shown beside them.

Examples:
  $ deskops survey report
  $ deskops survey report --since 3m --by group
  $ deskops survey report --json | jq '.rows[] | {type, value, answered}'`,
    )
    .action(async (opts) => (await import('./report.js')).surveyReportCommand(ctx, opts));

  survey
    .command('score')
    .argument('<ticket>', 'the ticket id')
    .argument('<score>', 'the score a person read from the answer')
    .description('record the score of an answer flagged for review, as collect would have stored it')
    .option('--type <type>', 'csat, nps or ces')
    .option('--replace', 'correct a score stored before')
    .option('--json', 'print the result as a JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops survey score 4211 --type nps 7
  $ deskops survey score 4212 --type ces 2 --json
  $ deskops survey score 4213 --type nps 9 --replace     # the customer wrote again: it was a 9`,
    )
    .action(async (ticket, score, opts) => (await import('./score.js')).surveyScore(ctx, ticket, score, opts));
}
