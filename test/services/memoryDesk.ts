/**
 * A hand-made in-memory HelpDesk for service tests: only the methods a test gives exist;
 * calling any other one throws, so a service that starts asking the desk for more fails the
 * test. Every call is recorded.
 */
import type { HelpDesk } from '../../src/api/helpdesk.js';

export interface Recorded {
  method: string;
  args: unknown[];
}

export function memoryDesk(methods: Partial<Record<keyof HelpDesk, unknown>>): { desk: HelpDesk; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const desk = new Proxy({} as HelpDesk, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'kind') return 'local';
      const impl = (methods as Record<string | symbol, unknown>)[prop];
      if (typeof impl !== 'function') {
        return () => {
          throw new Error(`memoryDesk: unexpected call to ${String(prop)}`);
        };
      }
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), args });
        return (impl as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { desk, calls };
}

export async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}
