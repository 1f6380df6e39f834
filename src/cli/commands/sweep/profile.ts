import type { CliContext } from '../../context.js';

/** The profile in use, without connecting (status and history read local files only). */
export async function currentProfile(ctx: CliContext): Promise<string> {
  const [store, { chooseProfile }] = await Promise.all([ctx.config(), import('../../../config/connection.js')]);
  return chooseProfile({ store, env: ctx.env, profileFlag: ctx.globals.profile }).name;
}
