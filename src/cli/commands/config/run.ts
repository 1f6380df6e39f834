import type { CliContext } from '../../context.js';
import { printList, type OutputFlags } from '../../output.js';
import { SETTINGS, parseSettingValue, settingSpec } from '../../settings.js';

const show = (v: unknown): string => (v === null || v === undefined ? '' : JSON.stringify(v));

export async function configList(ctx: CliContext, flags: OutputFlags): Promise<void> {
  const store = await ctx.config();
  const rows = SETTINGS.map((s) => {
    const stored = store.getSetting(s.key);
    return { key: s.key, value: stored ?? s.byDefault, source: stored === undefined ? 'default' : 'set', what: s.what };
  });
  await printList(
    ctx.io,
    rows,
    [
      { key: 'key', header: 'KEY' },
      { key: 'value', header: 'VALUE', get: (r) => show(r.value) || '(found on the desk)', maxWidth: 40 },
      { key: 'source', header: 'SOURCE', tone: (r) => (r.source === 'set' ? 'accent' : 'muted') },
      { key: 'what', header: 'WHAT', flex: true },
    ],
    flags,
  );
}

export async function configGet(ctx: CliContext, key: string): Promise<void> {
  const spec = settingSpec(key);
  const stored = (await ctx.config()).getSetting(key);
  if (stored === undefined) ctx.io.err(`${key} is not set; the default applies`);
  ctx.io.out(show(stored ?? spec.byDefault) || 'null');
}

export async function configSet(ctx: CliContext, key: string, text: string): Promise<void> {
  const spec = settingSpec(key);
  const value = parseSettingValue(spec, text);
  const store = await ctx.config({ write: true });
  store.setSetting(key, value);
  ctx.io.err(`set ${key} to ${show(value)}`);
}

export async function configUnset(ctx: CliContext, key: string): Promise<void> {
  const spec = settingSpec(key);
  const store = await ctx.config({ write: true });
  const was = store.getSetting(key);
  store.setSetting(key, undefined);
  ctx.io.err(was === undefined ? `${key} was not set; the default applies: ${show(spec.byDefault) || '(found on the desk)'}` : `unset ${key}; the default applies: ${show(spec.byDefault) || '(found on the desk)'}`);
}
