import { Argument, Option, type Command } from 'commander';
import { completeFrom } from '../../completion-values.js';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';

// The same list as core/templates.ts TEMPLATE_CATEGORIES, kept here so --help loads no Liquid.
const CATEGORIES = ['empathy', 'apology', 'ownership', 'resolution', 'escalation', 'follow-up', 'survey'];

/** `template`: the reply template library (shipped templates/ plus $DESKOPS_HOME/templates). */
export function registerTemplateCommands(program: Command, ctx: CliContext): void {
  const template = program
    .command('template')
    .description('reply templates: list, show, scaffold and lint the empathy, apology and follow-up library')
    .addHelpText(
      'after',
      `
Templates are Markdown files with YAML front matter and a Liquid body. deskops ships a library;
files in $DESKOPS_HOME/templates add to it and replace shipped ones of the same name and locale.

  ---
  name: apology-delay
  category: apology        # empathy | apology | ownership | resolution | escalation | follow-up | survey
  description: Apology for a slow answer
  public: true             # false: sent as an internal note
  locale: en               # default en; apology-delay.es.md holds locale es, falling back to en
  set: { status: pending, priority: high, tags: [apologised] }   # applied when sent
  vars: { order: the order number }                              # --var order=10442
  ---
  Hi {{ ticket.requester.first_name }}, ... {{ vars.order }} ... {{ current_user.signature }}

Placeholders (Zendesk names): ticket.id, ticket.title, ticket.description, ticket.status,
ticket.priority, ticket.ticket_type, ticket.tags, ticket.via, ticket.created_at, ticket.updated_at,
ticket.due_date, ticket.requester.{name,first_name,last_name,email,id}, ticket.assignee.{...},
ticket.group.name, ticket.organization.name, current_user.{name,first_name,last_name,email,id,signature},
and vars.NAME for each --var NAME=VALUE (declare it under vars:). A placeholder that does not
resolve is an error, never an empty string: guard optional parts with {% if ticket.organization %}
or {{ vars.when | default: "today" }}. {% include %}, {% render %} and {% layout %} are not allowed.

Examples:
  $ deskops template list --category survey
  $ deskops template show apology-repeat-contact
  $ deskops template new apology-outage --category apology && deskops template lint
  $ deskops template import --from-macros        # the desk's macros as templates`,
    );

  addOutputOptions(
    template
      .command('list')
      .alias('ls')
      .description('list the templates in effect, shipped and your own')
      .addOption(new Option('-c, --category <category>', 'only this category').choices(CATEGORIES)),
    'templates',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ deskops template list
  $ deskops template list --category apology
  $ deskops template list --json | jq -r '.[] | select(.source == "user") | .name'`,
    )
    .action(async (opts) => (await import('./list.js')).templateList(ctx, opts));

  template
    .command('show')
    .addArgument(completeFrom(new Argument('<name>', 'template name'), 'templates'))
    .description('print a template: front matter and body')
    .option('-l, --locale <locale>', 'the translation to show (falls back to English)')
    .option('--json', 'print the parsed template as JSON (with the variables it uses)')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops template show apology-delay
  $ deskops template show apology-delay --locale es
  $ deskops template show survey-ces --json | jq .variables`,
    )
    .action(async (name, opts) => (await import('./show.js')).templateShow(ctx, name, opts));

  template
    .command('new')
    .argument('<name>', 'template name: lowercase letters, digits and dashes')
    .description('scaffold a template in $DESKOPS_HOME/templates and open it in $EDITOR (on a terminal)')
    .addOption(new Option('-c, --category <category>', 'category (required unless copying a shipped template of that name)').choices(CATEGORIES))
    .option('-l, --locale <locale>', 'a translation, e.g. es (file NAME.es.md)')
    .addHelpText(
      'after',
      `
Never overwrites a file. Naming a shipped template copies it, so your version replaces it.
Without a terminal the file is written and its path printed; edit it, then run \`deskops template lint\`.

Examples:
  $ deskops template new apology-outage --category apology
  $ deskops template new apology-delay                 # start from the shipped one, to override it
  $ deskops template new apology-delay --locale fr`,
    )
    .action(async (name, opts) => (await import('./new.js')).templateNew(ctx, name, opts));

  addOutputOptions(
    template
      .command('import')
      .description("turn the desk's macros into templates in $DESKOPS_HOME/templates, checked by template lint")
      .option('--from-macros', "import the desk's macros (the macros you may use; Request Tracker has none)")
      .option('--dry-run', 'show what would be written, write nothing'),
    'the outcome per macro',
  )
    .addHelpText(
      'after',
      `
Each macro that adds a comment becomes macro-TITLE.md: the comment is the body, its status,
priority and added tags go under set:, an internal comment makes public: false. Zendesk
placeholders are deskops' own names ({{ticket.requester.first_name}}, {{current_user.name}});
one deskops cannot fill ({{ticket.url}}, {{dc.*}}, custom fields) becomes a variable under
vars:, given with --var when sending, and the output names it. What a template cannot do
(assign, move group, set the type, remove or replace tags) is named too. A file that exists is
never overwritten; every file written passes \`deskops template lint\`.

Examples:
  $ deskops template import --from-macros
  $ deskops template import --from-macros --dry-run --json | jq -r '.[] | "\(.template)\t\(.outcome)"'
  $ deskops reply send 42 --template macro-ask-for-order-number`,
    )
    .action(async (opts) => (await import('./import.js')).templateImport(ctx, opts));

  template
    .command('lint')
    .argument('[paths...]', 'template files or directories (default: every shipped and user template)')
    .description('check templates: front matter, categories, Liquid syntax, unknown variables (file:line)')
    .addHelpText(
      'after',
      `
Problems go to stderr as file:line: message, and the exit code is 1 when there is any.

Examples:
  $ deskops template lint
  $ deskops template lint ~/drafts/apology-outage.md
  $ deskops template lint "$DESKOPS_HOME/templates"`,
    )
    .action(async (paths, opts) => (await import('./lint.js')).templateLint(ctx, paths, opts));
}
