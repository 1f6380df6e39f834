// Runs the benchmarks, prints a table and writes bench/results/latest.json and latest.md.
// `npm run bench:quick` runs a reduced set (well under a minute); `npm run bench` runs all
// scales. Every figure sits beside the baseline it is compared with, measured in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { benchStartup } from './startup.js';
import { benchSeed } from './seed.js';
import { benchKpi } from './kpi.js';
import { benchQueue } from './queue.js';
import { benchSweep } from './sweep.js';
import { benchSurvey } from './survey.js';
import { benchRealistic } from './realistic.js';
import { benchReplica } from './replica.js';
import { LENIENT, REALISTIC } from './conditions.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));
const results = { when: new Date().toISOString(), node: process.version, cpus: cpus().length, quick, benchmarks: [] };
const rows = [];
const t0 = Date.now();
const step = (what) => process.stderr.write(`bench: ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}\n`);

step('startup: --help and ticket list --json against node -e 0');
const startup = await benchStartup({ runs: quick ? 7 : 21 });
results.benchmarks.push(startup);
rows.push(['startup', 'node -e 0 (baseline)', `${startup.node_ms} ms`, '1.00x', '']);
rows.push(['startup', 'deskops --help', `${startup.help_ms} ms`, `${startup.help_ratio}x`, `<= ${startup.targets.help_ratio}x`]);
rows.push(['startup', 'deskops ticket list --json (embedded desk)', `${startup.ticket_list_ms} ms`, `${startup.ticket_list_ratio}x`, `<= ${startup.targets.ticket_list_ratio}x`]);

step('seed: desk seed at several scales');
const seed = await benchSeed({ scales: quick ? [1000, 10000] : [1000, 10000, 100000] });
results.benchmarks.push(seed);
for (const s of seed.scales) {
  rows.push(['seed', `desk seed --tickets ${s.tickets}`, `${s.seed_ms} ms`, `${(s.seed_ms / seed.node_ms).toFixed(1)}x node`, `${s.tickets_per_s} tickets/s, ${s.db_mb} MB`]);
}

step('kpi: cold and warm kpi runs against the raw incremental download');
for (const tickets of quick ? [1000] : [1000, 10000, 100000]) {
  const k = await benchKpi({ tickets, runs: quick || tickets >= 100000 ? 1 : 3 });
  results.benchmarks.push(k);
  rows.push(['kpi', `raw incremental download, ${tickets} tickets (baseline)`, `${k.baseline_download_ms} ms`, '1.00x', `peak RSS ${k.peak_rss_mb.baseline} MB`]);
  rows.push(['kpi', `deskops kpi, empty cache, ${tickets} tickets`, `${k.cold_ms} ms`, `${k.cold_ratio}x`, `${k.requests_cold.total} requests, peak RSS ${k.peak_rss_mb.cold} MB`]);
  rows.push(['kpi', `deskops kpi, warm cache, ${tickets} tickets`, `${k.warm_ms} ms`, `${k.warm_ratio}x`, `${k.requests_warm.total} requests, peak RSS ${k.peak_rss_mb.warm} MB`]);
}

step('queue: urgency ranking, the queue command and the first triage frame');
const q = await benchQueue(quick ? { runs: 1, tickets: 2000, triageTickets: 500 } : { runs: 5, tickets: 10000, triageTickets: 500 });
results.benchmarks.push(q);
rows.push(['queue', `rank ${q.ranked_tickets} tickets by urgency (in-process)`, `${q.rank_ms} ms`, '', `< ${q.targets.rank_ms} ms`]);
rows.push(['queue', `deskops queue --view all --json, ${q.unsolved_tickets} unsolved`, `${q.queue_json_ms} ms`, `${q.queue_ratio}x node`, `${q.queue_requests} requests`]);
rows.push(['queue', `deskops triage, first rows over ${q.triage_unsolved_tickets} unsolved`, `${q.triage_first_rows_ms ?? 'n/a'} ms`, `${q.triage_first_rows_ratio ?? ''}x node`, `<= ${q.targets.triage_first_rows_ms} ms`]);

step('replica: refresh cost, a team of agents on one desk serve, warm queue, cold ticket list --all');
const rep = await benchReplica({ quick });
results.benchmarks.push(rep);
rows.push(['replica', `queue --view all, first read, ${rep.refresh.tickets} tickets (${rep.refresh.unsolved} unsolved)`, `${rep.refresh.first.requests} requests`, '1.00x', `${rep.refresh.first.ms} ms`]);
rows.push(['replica', 'queue --view all again, nothing changed', `${rep.refresh.unchanged.requests} requests`, `${(rep.refresh.unchanged.requests / rep.refresh.first.requests).toFixed(2)}x`, `<= ${rep.refresh.target_unchanged_requests} requests`]);
for (const c of rep.refresh.changed) rows.push(['replica', `queue --view all again, ${c.changed} tickets changed`, `${c.requests} requests`, `${(c.requests / rep.refresh.first.requests).toFixed(2)}x`, '']);
rows.push(['replica', `team: ${rep.team.agents} agents refreshing every minute (steady state)`, `${rep.team.steady_refresh_per_min}/min`, `${(rep.team.steady_refresh_per_min / rep.team.baseline_refresh_per_min_for_team).toFixed(2)}x before`, `<= ${rep.team.target_refresh_per_min}/min; before the replica ${rep.team.baseline_refresh_per_min_for_team}/min; writes ${rep.team.steady_writes_per_min}/min`]);
rows.push(['replica', `warm queue --view all --json, ${rep.warm.unsolved} unsolved`, `${rep.warm.warm_ms} ms`, `${rep.warm.warm_ratio}x node`, `${rep.warm.warm_requests} requests; < ${rep.warm.targets.warm_ms} ms, <= ${rep.warm.targets.warm_ratio}x`]);
rows.push(['replica', `cold ticket list --status any --all --json, ${rep.cold.tickets} tickets (admin)`, `${rep.cold.cold_ms} ms`, `${rep.cold.cold_ratio}x fetch`, `fetch of the incremental export ${rep.cold.fetch_ms} ms; ${rep.cold.cold_requests} requests; warm ${rep.cold.warm_ms} ms, ${rep.cold.warm_requests} requests`]);

step('sweep: a follow-up sweep against reading its candidates, exactly once counted on the desk');
const sw = await benchSweep({ quick });
results.benchmarks.push(sw);
rows.push(['sweep', `read the candidates raw, ${sw.eligible} eligible (baseline)`, `${sw.baseline.ms} ms`, '1.00x', `${sw.baseline.requests} requests, peak RSS ${sw.baseline.peak_rss_mb} MB`]);
rows.push(['sweep', `deskops sweep run, ${sw.sweep.sent} sent of ${sw.sweep.planned} planned`, `${sw.sweep.ms} ms`, `${sw.ratio_ms_vs_baseline}x`, `${sw.sweep.write_requests} write requests (<= ${sw.sweep.write_target}), ${sw.sweep.requests} in all, peak RSS ${sw.sweep.peak_rss_mb} MB (< ${sw.sweep.rss_target_mb})`]);
rows.push(['sweep', `highest request rate seen by the desk`, `${sw.sweep.max_rate_per_min_desk_side}/min`, `${(sw.sweep.max_rate_per_min_desk_side / sw.sweep.budget_per_min).toFixed(2)}x budget`, `budget ${sw.sweep.budget_per_min}/min; exactly once: ${sw.exactly_once.ok ? 'yes' : 'NO'}`]);

step('survey: survey send against reading its candidates, then collect after customers answer');
const sv = await benchSurvey({ quick, ...(quick ? { seeded: 3000 } : {}) });
results.benchmarks.push(sv);
rows.push(['survey', `read the solved tickets raw, ${sv.baseline.tickets} tickets (baseline)`, `${sv.baseline.ms} ms`, '1.00x', `${sv.baseline.requests} requests, peak RSS ${sv.baseline.peak_rss_mb} MB`]);
rows.push(['survey', `deskops survey send --type nps, ${sv.send.sent} sent of ${sv.send.eligible} eligible`, `${sv.send.ms} ms`, `${sv.ratio_ms_vs_baseline}x`, `${sv.send.write_requests} write requests (<= ${sv.send.write_target}), ${sv.send.requests} in all, at most ${sv.send.max_rate_per_min_desk_side}/min (budget ${sv.send.budget_per_min}), peak RSS ${sv.send.peak_rss_mb} MB; exactly once: ${sv.exactly_once.ok ? 'yes' : 'NO'}; second send ${sv.second_send.sent}`]);
rows.push(['survey', `deskops survey collect, ${sv.collect.answered} answers (${sv.collect.review} for review)`, `${sv.collect.ms} ms`, '', `${sv.collect.requests} requests (${sv.collect.requests_per_answer} per answer), at most ${sv.collect.max_rate_per_min_desk_side}/min, peak RSS ${sv.collect.peak_rss_mb} MB`]);

step('realistic: the main commands under Zendesk-realistic conditions, beside the floor the limits allow');
const real = await benchRealistic({ tickets: quick ? 2000 : 10_000 });
results.benchmarks.push(real);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const realRows = real.cases.map((c) => [
  c.case,
  seconds(c.ms),
  seconds(c.limit_floor_ms),
  seconds(c.sequential_latency_ms),
  `${c.requests.total} requests${c.requests.incremental ? ` (${c.requests.incremental} incremental)` : ''}${c.requests.rateLimited ? `, ${c.requests.rateLimited} answered 429` : ''}${c.peak_rss_mb ? `, peak RSS ${c.peak_rss_mb} MB` : ''}`,
]);
realRows.push([
  `kpi, empty cache, as an admin, 100,000 tickets (projected, not run)`,
  '',
  seconds(real.projection_100k_admin_kpi.limit_floor_ms),
  '',
  `${real.projection_100k_admin_kpi.incremental_pages} incremental export pages at ${REALISTIC.incrementalPerMinute} a minute`,
]);

const md = [
  `Conditions: ${LENIENT.label} (unless a row says otherwise).`,
  '',
  '| bench | case | figure | vs baseline | target / note |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  `Conditions: ${REALISTIC.label}; ${real.tickets.toLocaleString('en-US')} demo tickets.`,
  '',
  '| command | time | floor the limits allow | every request after the last (150 ms each) | requests |',
  '| --- | --- | --- | --- | --- |',
  ...realRows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(here, 'results', 'latest.md'), md + '\n');
console.log(md);
