/**
 * Reply templates: Markdown files with YAML front matter and a Liquid body.
 *
 *   ---
 *   name: apology-delay
 *   category: apology
 *   description: Sorry for the wait, with the next step and when
 *   public: true                # default; false makes it an internal note
 *   locale: en                  # default en; `apology-delay.es.md` holds locale es
 *   set: { status: pending, priority: high, tags: [apologised] }   # applied when sent
 *   vars: { order: order number, e.g. 10442 }                      # --var order=...
 *   ---
 *   Hi {{ ticket.requester.first_name }}, ...
 *
 * Pure: text in, data out. The Liquid engine is locked down: strict variables and filters,
 * no include/render/layout (a template cannot read any file), and render time and memory caps.
 * Variables are Zendesk's placeholders (ticket.*, current_user.*) plus `vars.*` from --var.
 *
 * The parts live in templates/: template.ts (what a template is), context.ts (placeholders),
 * parse.ts, render.ts (the Liquid engine), lint.ts, library.ts, closest.ts ("did you mean"),
 * from-macro.ts (a desk macro as a template file).
 */
export {
  DEFAULT_LOCALE,
  formatProblem,
  SETTABLE_STATUSES,
  TEMPLATE_CATEGORIES,
  TemplateLintError,
  TemplateRenderError,
  type ReplyTemplate,
  type TemplateCategory,
  type TemplateProblem,
  type TemplateSet,
  type TemplateSource,
} from './templates/template.js';
export {
  buildRenderContext,
  KNOWN_PLACEHOLDERS,
  sampleRenderContext,
  type RenderContext,
  type RenderContextInput,
} from './templates/context.js';
export { parseTemplate, type ParseResult } from './templates/parse.js';
export {
  MAX_RENDERED_CHARS,
  normalizeBody,
  renderTemplate,
  stripControls,
  templateVariables,
  variableUses,
  type VariableUse,
} from './templates/render.js';
export { lintLibrary, lintTemplate } from './templates/lint.js';
export { checkTemplateName, effectiveTemplates, parseLocale, parseVars, resolveTemplate } from './templates/library.js';
export { closestNames, editDistance } from './templates/closest.js';
