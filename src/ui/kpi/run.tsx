/**
 * Runs the `kpi --watch` dashboard on the terminal until q. Imported lazily by the command.
 */
import { render } from 'ink';
import type { ScreenStreams } from '../streams.js';
import type { KpiReport } from '../../core/kpi/types.js';
import { KpiDashboard } from './KpiDashboard.js';

export interface RunKpiWatchOptions {
  io: ScreenStreams;
  load: () => Promise<KpiReport>;
  intervalMs: number;
}

export async function runKpiWatch(o: RunKpiWatchOptions): Promise<void> {
  const instance = render(<KpiDashboard load={o.load} intervalMs={o.intervalMs} />, {
    stdout: o.io.stdout as unknown as NodeJS.WriteStream,
    stdin: o.io.stdin as unknown as NodeJS.ReadStream,
    stderr: o.io.stderr as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
  }
}
