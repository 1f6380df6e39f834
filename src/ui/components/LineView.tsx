/** One screen line of styled segments (see triage/format.ts), never wrapped. */
import { Box, Text } from 'ink';
import type { Line, Tone } from '../triage/format.js';

function toneProps(tone: Tone): { color?: string; bold?: boolean; dimColor?: boolean; inverse?: boolean } {
  switch (tone) {
    case 'bad':
      return { color: 'red' };
    case 'warn':
      return { color: 'yellow' };
    case 'good':
      return { color: 'green' };
    case 'muted':
      return { dimColor: true };
    case 'accent':
      return { color: 'cyan' };
    case 'strong':
      return { bold: true };
    case 'selected':
      return { inverse: true };
    default:
      return {};
  }
}

export function LineView({ line }: { line: Line }) {
  if (line.length === 0 || line.every((s) => s.text === '')) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} {...toneProps(s.tone)}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/** Exactly `height` lines: cut or padded with blank lines, so panes never move. */
export function LinesBox({ lines, height, width }: { lines: Line[]; height: number; width?: number }) {
  const shown = lines.slice(0, Math.max(0, height));
  while (shown.length < height) shown.push([]);
  return (
    <Box flexDirection="column" height={Math.max(0, height)} width={width} overflow="hidden">
      {shown.map((line, i) => (
        <LineView key={i} line={line} />
      ))}
    </Box>
  );
}

