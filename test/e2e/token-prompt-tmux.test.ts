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

  it('init: the check starts on its own line after the masked token, and declining to save is a cancel (exit 2)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deskops-init-tty-'));
    const session = `deskops-init-${process.pid}`;
    const keys = async (text: string, literal = true) => {
      tmux('send-keys', '-t', session, ...(literal ? ['-l', text] : [text]));
      await new Promise((r) => setTimeout(r, 300));
    };
    try {
      // nothing listens on port 9: the check fails, and init asks whether to save anyway
      const command = `unset CI; DESKOPS_HOME='${home}' '${process.execPath}' '${bin}' init; echo "EXIT=$?"; sleep 30`;
      expect(tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '20', command).status).toBe(0);
      await waitFor('the first question', () => screen(session).includes('Which kind of desk?'));
      await keys('Enter', false);
      await waitFor('the URL question', () => screen(session).includes('Desk URL'));
      await keys('http://127.0.0.1:9');
      await keys('Enter', false);
      await waitFor('the name question', () => screen(session).includes('Profile name'));
      await keys('testp');
      await keys('Enter', false);
      await waitFor('the sign-in question', () => screen(session).includes('Sign in with'));
      await keys('Enter', false);
      await waitFor('the email question', () => screen(session).includes('email'));
      await keys('a@b.example');
      await keys('Enter', false);
      await waitFor('the token question', () => screen(session).includes('API token'));
      await keys('SecretToken123');
      await keys('Enter', false);
      await waitFor('the save question', () => screen(session).includes('Save the profile anyway?'));
      expect(screen(session)).toMatch(/API token: \*+\s*\n\s*checking http:\/\/127\.0\.0\.1:9 \.\.\./);
      await keys('Enter', false); // the default: no
      await waitFor('the command to end', () => screen(session).includes('EXIT='));
      expect(screen(session)).toContain('deskops: nothing was saved');
      expect(screen(session)).toContain('EXIT=2');
      expect(screen(session)).not.toContain('SecretToken123');
    } finally {
      tmux('kill-session', '-t', session);
      rmSync(home, { recursive: true, force: true });
    }
  }, 40_000);
});
