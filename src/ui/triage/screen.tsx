/**
 * What the triage screen draws with: Ink and the root component. run.tsx imports this module
 * dynamically, after choosing React's production build (see loadScreen there), so nothing
 * before this module may load React: no JSX in run.tsx.
 */
import { render, type Instance } from 'ink';
import type { TriageController } from './controller.js';
import { TriageApp } from './TriageApp.js';

export function showTriage(
  controller: TriageController,
  streams: { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream },
): Instance {
  return render(<TriageApp controller={controller} />, { ...streams, exitOnCtrlC: false, patchConsole: false });
}
