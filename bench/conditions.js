// The desk conditions a figure is measured under, named so every figure says which.
//
// lenient: the embedded desk without Zendesk's endpoint limits, latency or search lag (and
//   deskops told so: DESKOPS_ENDPOINT_LIMITS=off); what the code itself costs.
// realistic: what a Zendesk Enterprise account across a network gives: 700 requests a minute
//   for the account, the endpoint limits (10 incremental exports a minute, 100 ticket updates
//   a minute, 30 queued jobs...), 150 ms added to every answer, search 30 s behind.
export const LENIENT = {
  name: 'lenient',
  label: 'lenient desk: no endpoint limits, no latency, no search lag',
  desk: { endpointLimits: false, indexLagSeconds: 0 },
  env: { DESKOPS_ENDPOINT_LIMITS: 'off' },
};

export const REALISTIC = {
  name: 'realistic',
  label: 'Zendesk-realistic: enterprise plan (700 requests/min), endpoint limits, 150 ms latency, search 30 s behind',
  desk: { plan: 'enterprise', latencyMs: 150, indexLagSeconds: 30 },
  env: {},
  perMinute: 700,
  latencyMs: 150,
  incrementalPerMinute: 10,
  ticketUpdatesPerMinute: 100,
};

/**
 * The least time Zendesk's limits allow for a run that makes these requests: each limit lets
 * its first minute's worth through at once, then one minute per further minute's worth. Not
 * counting latency: that is `sequentialLatencyMs`, the floor if every request waited for the
 * one before.
 */
export function limitFloorMs(requests, conditions = REALISTIC) {
  const over = (n, perMinute) => Math.max(0, Math.ceil((n - perMinute) / perMinute)) * 60_000;
  return Math.max(
    over(requests.total, conditions.perMinute),
    over(requests.incremental ?? 0, conditions.incrementalPerMinute),
    over(requests.ticketUpdates ?? 0, conditions.ticketUpdatesPerMinute),
  );
}

export const sequentialLatencyMs = (requests, conditions = REALISTIC) => requests.total * conditions.latencyMs;

/** Requests the desk logged ("GET /api/v2/... 200 12ms"), counted by the limits they fall under. */
export function countRequests(lines) {
  const requests = { total: 0, incremental: 0, ticketUpdates: 0, searchExport: 0, showMany: 0, updateMany: 0, rateLimited: 0 };
  for (const line of lines) {
    const m = /^(GET|PUT|POST|DELETE) (\S+) (\d{3})/.exec(line);
    if (!m) continue;
    const [, method, url, status] = m;
    requests.total++;
    if (status === '429') requests.rateLimited++;
    if (url.includes('/incremental/')) requests.incremental++;
    if (method === 'PUT' && /\/api\/v2\/tickets\/\d+(\.json)?(\?|$)/.test(url)) requests.ticketUpdates++;
    if (url.includes('/search/export')) requests.searchExport++;
    if (url.includes('/show_many')) requests.showMany++;
    if (url.includes('/update_many')) requests.updateMany++;
  }
  return requests;
}
