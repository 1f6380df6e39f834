/**
 * Which options and arguments take names only deskops knows (profiles, templates): the shell
 * completion script asks `deskops completion --list <kind>` for them when it completes one.
 * Marked where the option or argument is defined, so the script is built from the program.
 * Loads nothing: `deskops --help` pays for a WeakMap.
 */
export const COMPLETION_LISTS = ['profiles', 'templates'] as const;
export type CompletionList = (typeof COMPLETION_LISTS)[number];

const lists = new WeakMap<object, CompletionList>();

/** Marks a commander Option or Argument as completed from `deskops completion --list <list>`. */
export function completeFrom<T extends object>(target: T, list: CompletionList): T {
  lists.set(target, list);
  return target;
}

/** The list an Option or Argument is completed from, if it was marked. */
export function completionListOf(target: object): CompletionList | undefined {
  return lists.get(target);
}
