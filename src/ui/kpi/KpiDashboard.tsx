/**
 * The `kpi --watch` dashboard: the KPI table, refreshed every interval, with the change since
 * the previous period colored by whether it is good news. q (or Esc, Ctrl-C) quits. The data
 * comes from `load` (services/kpi); this component only schedules and renders.
 */
import { useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { METRICS } from '../../core/kpi/catalog.js';
import { changeVerdict, formatChange, formatMetricValue } from '../../core/kpi/format.js';
import { describeWindow } from '../../core/kpi/period.js';
import type { KpiReport, MetricEntry, MetricId } from '../../core/kpi/types.js';

export interface KpiDashboardProps {
  load: () => Promise<KpiReport>;
  intervalMs: number;
  /** Wall clock for "updated at" (tests pass a fixed one). */
  now?: () => Date;
  onQuit?: () => void;
}

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; report: KpiReport; at: Date; error?: string }
  | { kind: 'failed'; error: string };

/** Column widths: metric, value, n, previous, change (96 columns in all). */
const WIDTHS = [26, 24, 7, 24, 13];

/** One table row in fixed-width columns, truncated rather than wrapped; the change colored. */
function Row({ cells, dim = false, verdict = null }: { cells: string[]; dim?: boolean; verdict?: 'good' | 'bad' | null }) {
  return (
    <Box>
      {cells.map((text, i) => {
        const isChange = i === 4;
        const color = isChange && verdict === 'good' ? 'green' : isChange && verdict === 'bad' ? 'red' : undefined;
        return (
          <Box key={i} width={WIDTHS[i]} justifyContent={i === 0 ? 'flex-start' : 'flex-end'} paddingRight={i === 0 ? 1 : 0}>
            <Text wrap="truncate" dimColor={dim || (isChange && verdict === null)} color={color}>
              {text}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

export function KpiDashboard({ load, intervalMs, now = () => new Date(), onQuit }: KpiDashboardProps) {
  const { exit } = useApp();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      setBusy(true);
      try {
        const report = await load();
        if (alive.current) setState({ kind: 'ready', report, at: now() });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        if (alive.current) setState((s) => (s.kind === 'ready' ? { ...s, error } : { kind: 'failed', error }));
      } finally {
        if (alive.current) {
          setBusy(false);
          timer = setTimeout(() => void tick(), intervalMs);
        }
      }
    };
    void tick();
    return () => {
      alive.current = false;
      if (timer) clearTimeout(timer);
    };
    // load and intervalMs are fixed for the dashboard's life
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) {
      onQuit?.();
      exit();
    }
  });

  const seconds = Math.round(intervalMs / 1000);
  const footer = `every ${seconds}s · q quits${busy ? ' · refreshing…' : ''}`;
  if (state.kind === 'loading') {
    return (
      <Box flexDirection="column">
        <Text bold>deskops kpi</Text>
        <Text dimColor>reading tickets… · {footer}</Text>
      </Box>
    );
  }
  if (state.kind === 'failed') {
    return (
      <Box flexDirection="column">
        <Text bold>deskops kpi</Text>
        <Text color="red">{state.error}</Text>
        <Text dimColor>{footer}</Text>
      </Box>
    );
  }

  const { report, at } = state;
  const metrics = (report.groups[0]?.metrics ?? {}) as Partial<Record<MetricId, MetricEntry>>;
  const compare = report.previous !== undefined;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        deskops kpi · {describeWindow(report.window)}
        {compare ? ` vs ${describeWindow(report.previous!)}` : ''}
      </Text>
      <Row
        cells={['METRIC', 'VALUE', 'N', ...(compare ? ['PREVIOUS', 'CHANGE'] : [])]}
        dim
      />
      {(Object.entries(metrics) as Array<[MetricId, MetricEntry]>).map(([id, e]) => (
        <Row
          key={id}
          cells={[
            METRICS[id].label,
            formatMetricValue(id, e.value),
            String(e.n),
            ...(compare ? [formatMetricValue(id, e.previous), formatChange(id, e.change)] : []),
          ]}
          verdict={changeVerdict(id, e.change)}
        />
      ))}
      {state.error ? <Text color="red">refresh failed: {state.error}</Text> : null}
      <Text dimColor>
        updated {at.toISOString().slice(11, 19)} UTC · {footer}
      </Text>
    </Box>
  );
}
