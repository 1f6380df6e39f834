/** `deskops desk serve`: the local desk as a server until SIGINT/SIGTERM. */
import type { CliContext } from '../../context.js';
import { parseDurationMs } from '../../../core/time.js';
import { parseIntegerFlag } from './flags.js';

interface ServeFlags {
  port: string;
  host: string;
  plan: string;
  rateLimit?: string;
  latency: string;
  indexLag: string;
  faults?: string;
  faultSeed: string;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function deskServe(ctx: CliContext, flags: ServeFlags): Promise<void> {
  const port = parseIntegerFlag(flags.port, '--port', 0, 65_535);
  const rateLimit = flags.rateLimit === undefined ? undefined : parseIntegerFlag(flags.rateLimit, '--rate-limit', 1, 1_000_000);
  const latencyMs = parseDurationMs(flags.latency, '--latency', 60_000);
  const indexLagSeconds = parseIntegerFlag(flags.indexLag, '--index-lag', 0, 3600);
  const faultSeed = parseIntegerFlag(flags.faultSeed, '--fault-seed', -(2 ** 31), 2 ** 31 - 1);
  const { startDesk } = await import('../../../desk/index.js');
  const desk = await startDesk({
    home: ctx.home(),
    host: flags.host,
    port,
    plan: flags.plan,
    rateLimit,
    latencyMs,
    indexLagSeconds,
    faults: flags.faults,
    faultSeed,
    log: (line) => ctx.io.err(`< ${line}`),
    now: ctx.now,
  });

  // The token is printed, even when stdout is piped: it is the user's own desk on a loopback
  // port, and printing it is what lets a script `eval` or source these lines. It is the same
  // token that sits in credentials.json (0600) for the same user.
  ctx.io.out(
    [
      `# deskops local desk on ${desk.url} (Ctrl-C to stop); point deskops or any Zendesk client at it:`,
      `export DESKOPS_URL=${shellQuote(desk.url)}`,
      `export DESKOPS_EMAIL=${shellQuote(desk.email)}`,
      `export DESKOPS_TOKEN=${shellQuote(desk.token)}`,
      '# (with the same DESKOPS_HOME, the `local` profile needs only DESKOPS_URL: it reads the token from credentials.json)',
      `# the token is the account's; the email picks the user. The default user is an agent; the admin:`,
      `# admin: DESKOPS_EMAIL=${desk.adminEmail}`,
    ].join('\n'),
  );

  // `desk seed` or `desk reset` on this home gives the account a new token: the desk takes it
  // at once, and the lines a user copied from here must say so.
  const { readDeskCredentials } = await import('../../../desk/index.js');
  let printed = desk.token;
  const watch = setInterval(() => {
    const now = readDeskCredentials(ctx.home());
    if (now && now.token !== printed) {
      printed = now.token;
      ctx.io.out(`# the desk was seeded again; its token is now:\nexport DESKOPS_TOKEN=${shellQuote(now.token)}`);
    }
  }, 1000);
  watch.unref();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  clearInterval(watch);
  ctx.io.err(`${signal}: stopping the desk...`);
  await desk.close();
  ctx.io.err('desk stopped');
}
