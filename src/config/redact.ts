/** How a secret is shown anywhere: `****` and its last 4 characters. No imports: safe to load early. */

/** `****` and the last 4 characters; secrets of 8 characters or fewer show none of them. */
export function redactSecret(secret: string | undefined): string {
  if (!secret) return '';
  return secret.length > 8 ? `****${secret.slice(-4)}` : '****';
}

/**
 * Replaces every occurrence of each secret (8+ characters, so not common words) in `text`,
 * also URL-encoded.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 8) continue;
    out = out.split(s).join(redactSecret(s));
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join(redactSecret(s));
  }
  return out;
}
