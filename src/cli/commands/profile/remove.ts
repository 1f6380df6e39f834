/** `deskops profile remove`: forget a profile and its secret. */
import type { CliContext } from '../../context.js';

export async function removeProfile(ctx: CliContext, name: string): Promise<void> {
  const store = await ctx.config({ write: true });
  const { wasActive } = store.removeProfile(name);
  ctx.io.err(`removed profile ${name} and its stored secret${wasActive ? '; the active profile is now local' : ''}`);
}
