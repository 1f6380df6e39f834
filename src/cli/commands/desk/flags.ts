/** Flag parsing shared by the desk commands. */
import { UsageError } from '../../../core/errors.js';

/** An integer flag within [min, max]; anything else is a one-line UsageError. */
export function parseIntegerFlag(value: string, flag: string, min: number, max: number): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${text}`);
  return n;
}

