/**
 * `profile add --token-stdin` on a real terminal (tmux), as a person pastes a token: the token
 * never shows on the screen, and it is stored. Uses the built CLI (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/deskops.js', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
const screen = (session: string) => tmux('capture-pane', '-p', '-t', session).stdout;

async function waitFor(what: string, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasTmux)('profile add --token-stdin on a terminal (tmux)', () => {
  it('asks for the token without showing it, and stores it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deskops-token-tty-'));
    const session = `deskops-token-${process.pid}`;
    const token = 'PastedSecretToken0123456789';
    try {
      // A person at a terminal: not CI (where deskops never prompts).
      const command = `unset CI; DESKOPS_HOME='${home}' '${process.execPath}' '${bin}' profile add acme --url https://acme.zendesk.com --email me@acme.example --token-stdin; echo "EXIT=$?"; sleep 30`;
      expect(tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '20', command).status).toBe(0);
      await waitFor('the token prompt', () => screen(session).includes('token (not shown)'));
      tmux('send-keys', '-t', session, '-l', token);
      await waitFor('the masked token', () => screen(session).includes('*'.repeat(token.length)));
      expect(screen(session)).not.toContain(token);
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor('the command to end', () => screen(session).includes('EXIT='));
      const shown = screen(session);
      expect(shown).toContain('EXIT=0');
      expect(shown).toContain('added profile acme');
      expect(shown).not.toContain(token);
      const stored = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
      expect(stored.secrets.acme).toBe(token);
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(home, { recursive: true, force: true });
    }
  }, 30_000);
});
