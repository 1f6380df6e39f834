/** `deskops profile use`: make a profile the active one. */
import type { CliContext } from '../../context.js';

export async function useProfile(ctx: CliContext, name: string): Promise<void> {
  const store = await ctx.config({ write: true });
  store.useProfile(name);
  ctx.io.err(`now using profile ${name}`);
}
