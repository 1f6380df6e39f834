/** `deskops profile list`: store -> one row per profile -> output layer. Secrets only redacted. */
import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import { redactSecret } from '../../../config/redact.js';

interface ProfileRow {
  name: string;
  kind: string;
  url: string;
  email: string;
  auth: string;
  secret: string;
  active: boolean;
}

const columns: Column<ProfileRow>[] = [
  { key: 'active', header: '', get: (r) => (r.active ? '*' : ''), tone: () => 'good' },
  { key: 'name', header: 'NAME', tone: (r) => (r.active ? 'strong' : undefined) },
  { key: 'kind', header: 'KIND' },
  { key: 'url', header: 'URL', flex: true },
  { key: 'email', header: 'EMAIL' },
  { key: 'secret', header: 'SECRET', tone: () => 'muted' },
];

export async function listProfiles(ctx: CliContext, flags: OutputFlags): Promise<void> {
  const store = await ctx.config();
  const active = store.activeProfileName();
  const rows: ProfileRow[] = store.profiles().map((p) => ({
    name: p.name,
    kind: p.kind,
    url: p.url ?? '',
    email: p.email ?? '',
    auth: p.auth ?? '',
    secret: redactSecret(store.secretFor(p.name)),
    active: p.name === active,
  }));
  await printList(ctx.io, rows, columns, flags, {
    toJson: (r) => ({ ...r, url: r.url || null, email: r.email || null, auth: r.auth || null }),
  });
}
