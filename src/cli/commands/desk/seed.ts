/** `deskops desk seed` and `deskops desk reset`. */
import type { CliContext } from '../../context.js';
import { parseIntegerFlag } from './flags.js';
import { confirmOrCancel } from '../../prompt.js';

interface SeedFlags {
  tickets: string;
  seed: string;
  yes?: boolean;
}

export async function deskSeed(ctx: CliContext, flags: SeedFlags): Promise<void> {
  const tickets = parseIntegerFlag(flags.tickets, '--tickets', 1, 1_000_000);
  const seed = parseIntegerFlag(flags.seed, '--seed', 0, 2 ** 31 - 1);
  const home = ctx.home();
  await confirmOrCancel(ctx, { yes: flags.yes, question: `Wipe the local desk in ${home}/desk and rebuild it with ${tickets} demo tickets?`, cancelledMessage: 'cancelled; the desk was not changed' });
  const { seedDesk } = await import('../../../desk/index.js');
  if (ctx.io.interactive) ctx.io.err(`seeding ${tickets} demo tickets (seed ${seed})...`);
  const summary = await seedDesk({ home, tickets, seed, now: ctx.now() });
  ctx.io.out(
    `seeded ${summary.tickets} tickets, ${summary.users} users and ${summary.organizations} organizations in ${(summary.ms / 1000).toFixed(1)}s`,
  );
  ctx.io.err(`new credentials in ${home}/desk/credentials.json: the old token no longer works`);
}

export async function deskReset(ctx: CliContext, flags: { yes?: boolean }): Promise<void> {
  const home = ctx.home();
  await confirmOrCancel(ctx, { yes: flags.yes, question: `Delete the local desk in ${home}/desk (tickets and credentials)?`, cancelledMessage: 'cancelled; the desk was not changed' });
  const { resetDesk } = await import('../../../desk/index.js');
  await resetDesk({ home });
  ctx.io.out(`deleted the local desk in ${home}/desk; it is seeded again on next use`);
}
