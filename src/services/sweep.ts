/**
 * Follow-up sweeps: rule-driven bulk follow-ups (reminders, check-ins, transfer follow-ups,
 * nudges) over every ticket that is due, each sent exactly once.
 *
 *   loadSweepRules     shipped templates/sweeps/*.yml + $DESKOPS_HOME/sweeps/*.yml, or --rules
 *   planSweepRun       candidates from the replica (its searches evaluated locally) or the
 *                      uncapped search export, the facts the rules need (metric sets,
 *                      comments only where a rule reads the thread), the plan
 *   executeSweep       renders each ticket's change and hands it to the bulk executor, under
 *                      the profile's lock and the run's journal
 *   resumeSweep        finishes an interrupted run from its journal
 *
 * The planning itself is pure (core/sweep-plan.ts); exactly-once, batching, rate budget and the
 * journal are the reusable bulk machinery (services/bulk/). The parts live in sweep/: rules.ts,
 * plan.ts (with slim.ts, what a sweep keeps of each record), render.ts, run.ts, resume.ts.
 */
export { loadSweepRules, shippedSweepsDir, userSweepsDir, type LoadRulesOptions, type LoadedRules } from './sweep/rules.js';
export { slimMetric } from './sweep/slim.js';
export { fetchMetrics, fetchThreads, planSweepRun, templateLabel, type PlanOptions, type PlanRow, type SweepPlanView } from './sweep/plan.js';
export { SWEEP_KIND, executeSweep, type ExecuteOptions, type SweepRowResult, type SweepRunResult } from './sweep/run.js';
export { resumeSweep } from './sweep/resume.js';
export type { RuleSet, SweepStep } from '../core/sweep-rules.js';
