import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import {
  DEFAULT_LOCALE,
  TEMPLATE_CATEGORIES,
  checkTemplateName,
  formatProblem,
  lintTemplate,
  parseLocale,
  parseTemplate,
  resolveTemplate,
  type TemplateCategory,
} from '../../../core/templates.js';
import { userTemplatesDir } from '../../../services/replies.js';
import { openInEditor } from '../reply/editor.js';
import { loadTemplateLibrary } from './shared.js';

interface NewFlags {
  category?: TemplateCategory;
  locale?: string;
}

export async function templateNew(ctx: CliContext, nameArg: string, flags: NewFlags): Promise<void> {
  const name = checkTemplateName(nameArg);
  const locale = flags.locale === undefined ? DEFAULT_LOCALE : parseLocale(flags.locale);
  const library = await loadTemplateLibrary(ctx);
  const shipped = library.all.find((t) => t.source === 'shipped' && t.name === name && t.locale === locale);
  const base = resolveTemplate(library.all.filter((t) => t.source === 'shipped'), name, locale);

  let text: string;
  if (shipped && (!flags.category || flags.category === shipped.category)) {
    text = await readFile(shipped.path, 'utf8');
    ctx.io.err(`copied the shipped template "${name}"; your copy replaces it once saved`);
  } else {
    const category = flags.category ?? base?.category;
    if (!category) throw new UsageError(`--category is required: one of ${TEMPLATE_CATEGORIES.join(', ')}`);
    text = scaffold(name, category, locale);
  }

  const dir = userTemplatesDir(ctx.home());
  const file = join(dir, locale === DEFAULT_LOCALE ? `${name}.md` : `${name}.${locale}.md`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${file} already exists; not overwritten`, { hint: `edit it, or pick another name` });
    }
    throw err;
  }

  if (ctx.io.interactive) {
    openInEditor(ctx, file);
    const parsed = parseTemplate(await readFile(file, 'utf8'), file, 'user');
    const problems = parsed.template ? lintTemplate(parsed.template) : parsed.problems;
    for (const p of problems) ctx.io.err(`warning: ${formatProblem(p)}`);
  }
  ctx.io.out(file);
}

function scaffold(name: string, category: TemplateCategory, locale: string): string {
  return `---
name: ${name}
category: ${category}
description: When to use this template, in one line
${locale === DEFAULT_LOCALE ? '' : `locale: ${locale}\n`}# public: false          # send as an internal note instead of a public reply
# set:                    # applied to the ticket when the reply is sent
#   status: pending
#   priority: high
#   tags: [my_tag]
# vars:                   # values given with --var NAME=VALUE, used as {{ vars.NAME }}
#   order: the order number, e.g. 10442
---
Hi {{ ticket.requester.first_name }},

{% comment %}
Write the reply here: human, specific, short. Placeholders: ticket.id, ticket.title,
ticket.status, ticket.requester.name, ticket.assignee.name, ticket.group.name,
ticket.organization.name, current_user.first_name, current_user.signature, vars.NAME.
Guard optional ones: {% if ticket.organization %}...{% endif %} or {{ vars.when | default: "today" }}.
{% endcomment %}
Thanks for getting in touch about "{{ ticket.title }}".

{{ current_user.signature }}
`;
}
