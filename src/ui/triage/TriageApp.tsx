/**
 * The triage screen: header, the urgency-ranked list, the selected ticket's detail with a
 * thread preview, prompts, overlays (thread, help) and a status line. All behaviour is in the
 * controller; this component subscribes, measures the terminal and renders.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { TriageController } from './controller.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { clip, layoutFor, macroScrollMax, MIN_COLUMNS, MIN_ROWS, previewScrollMax, threadLines, truncate, type Line } from './format.js';
import { BulkReplyPane, DetailPane, HelpPane, ListPane, PromptBar, ReplyPane, StatusBar, ThreadPane, promptHeight } from './panes.js';
import { LineView } from '../components/LineView.js';
import { selectedItem, type TriageState } from './state.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface TriageAppProps {
  controller: TriageController;
  /** Fixed size (tests); otherwise the stdout's, following resizes. */
  size?: TerminalSize;
  /** Called once when the agent quits, after Ink is told to exit. */
  onQuit?: () => void;
}

function useTerminalSize(fixed: TerminalSize | undefined): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({
    columns: typeof stdout.columns === 'number' ? stdout.columns : 80,
    rows: typeof stdout.rows === 'number' ? stdout.rows : 24,
  });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}

export function TriageApp({ controller, size, onQuit }: TriageAppProps) {
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(size);
  useEffect(() => {
    controller.setQuitHandler(() => {
      exit();
      onQuit?.();
    });
  }, [controller, exit, onQuit]);
  useInput((input, key) => controller.handleInput(input, key));

  const prompt = state.overlay.kind === 'prompt' ? state.overlay.prompt : undefined;
  const layout = layoutFor(columns, rows, promptHeight(prompt));
  const now = controller.deps.now();

  // The thread's wrapped lines are needed for both rendering and the scroll bounds.
  const threadId = state.overlay.kind === 'thread' ? state.overlay.ticketId : undefined;
  const entry = threadId !== undefined ? state.threads.get(threadId) : undefined;
  const threadArea = Math.max(1, layout.height - 3 - layout.prompt);
  const thread: Line[] =
    entry?.state === 'ready'
      ? threadLines(entry.view, layout.width, now)
      : [[{ text: entry?.state === 'error' ? `thread: ${entry.message}` : 'loading the thread…', tone: entry?.state === 'error' ? 'bad' : 'muted' }]];

  const reply = state.overlay.kind === 'reply' ? state.overlay.reply : undefined;
  useEffect(() => {
    controller.setViewport({
      pageSize: layout.list,
      threadMax: Math.max(0, thread.length - (threadArea - 1)),
      threadPage: threadArea - 1,
      previewMax:
        reply?.step === 'preview'
          ? previewScrollMax(reply.draft, layout.width, threadArea)
          : reply?.step === 'macro'
            ? macroScrollMax(reply.preview, layout.width, threadArea)
            : 0,
    });
  });

  if (layout.tooSmall) {
    const msg = `terminal too small: ${MIN_COLUMNS}x${MIN_ROWS} needed · q quits`;
    return <Text wrap="truncate-end">{layout.width > 0 ? truncate(msg, layout.width) : 'terminal too small'}</Text>;
  }

  const item = selectedItem(state);
  const overlay = state.overlay.kind === 'prompt' || state.overlay.kind === 'editor' ? state.overlay.under : state.overlay.kind;
  const underThread = overlay === 'thread' && state.selectedId !== null;
  let body;
  if (reply) {
    const ticket = state.items.find((i) => i.ticket.id === reply.ticketId)?.ticket;
    body = <ReplyPane reply={reply} subject={ticket?.subject ?? ''} width={layout.width} height={threadArea} />;
  } else if (state.overlay.kind === 'bulkReply') {
    body = <BulkReplyPane targets={state.overlay.targets} body={state.overlay.body} width={layout.width} height={threadArea} />;
  } else if (state.overlay.kind === 'editor') {
    body = <LineView line={[{ text: 'editing in $VISUAL / $EDITOR… (save and quit to send, an empty file cancels)', tone: 'muted' }]} />;
  } else if (state.overlay.kind === 'help') {
    body = <HelpPane width={layout.width} height={threadArea} />;
  } else if (state.overlay.kind === 'thread' || underThread) {
    const id = state.overlay.kind === 'thread' ? state.overlay.ticketId : state.selectedId!;
    const scroll = state.overlay.kind === 'thread' ? state.overlay.scroll : state.threadScroll;
    const current = state.items.find((i) => i.ticket.id === id);
    body = (
      <ThreadPane
        title={`#${id} ${current ? sanitizeLine(current.ticket.subject) : ''}`}
        lines={thread}
        scroll={scroll}
        width={layout.width}
        height={threadArea}
      />
    );
  } else if (layout.sideBySide) {
    body = (
      <Box flexDirection="row">
        <Box flexDirection="column" width={layout.listWidth}>
          <ListPane state={state} width={layout.listWidth} height={layout.list} now={now} />
        </Box>
        <Box flexDirection="column" width={3}>
          <Text> │ </Text>
        </Box>
        <Box flexDirection="column" width={layout.detailWidth}>
          <DetailPane item={item} thread={item ? state.threads.get(item.ticket.id) : undefined} width={layout.detailWidth} height={layout.list + 1} now={now} />
        </Box>
      </Box>
    );
  } else {
    body = (
      <>
        <ListPane state={state} width={layout.width} height={layout.list} now={now} />
        <LineView line={[{ text: '─'.repeat(Math.max(0, layout.width)), tone: 'muted' }]} />
        <DetailPane item={item} thread={item ? state.threads.get(item.ticket.id) : undefined} width={layout.width} height={layout.detail} now={now} />
      </>
    );
  }

  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <LineView line={clip(headerLine(state, state.view ?? controller.deps.viewName, controller.deps.deskName), layout.width)} />
      {body}
      {prompt ? <PromptBar prompt={prompt} width={layout.width} height={layout.prompt} /> : null}
      <Box flexGrow={1} />
      <StatusBar status={state.status} width={layout.width} />
    </Box>
  );
}

/** The header, and which desk: a reply on the demo desk and one to a real customer look alike otherwise. */
function headerLine(state: TriageState, view: string, desk: { name: string; live: boolean } | undefined): Line {
  const line: Line = [{ text: headerText(state, view), tone: 'strong' }];
  if (desk) line.push({ text: ` · ${desk.live ? 'LIVE ' : ''}${sanitizeLine(desk.name)}`, tone: desk.live ? 'warn' : 'muted' });
  return line;
}

function headerText(state: TriageState, view: string): string {
  const parts = [`deskops triage · ${view}`];
  if (state.items.length > 0 || !state.loading) {
    parts.push(state.total > state.items.length ? `${state.items.length} of ${state.total} tickets` : `${state.items.length} tickets`);
  }
  if (state.filter) parts.push(`filter: ${sanitizeLine(state.filter)}`);
  if (state.marked.size > 0) parts.push(`${state.marked.size} marked`);
  if (state.loading) parts.push('loading…');
  else if (state.loadedAt !== null) {
    const cost = state.loadRequests === null ? '' : `, ${state.loadRequests} request${state.loadRequests === 1 ? '' : 's'}`;
    parts.push(`updated ${new Date(state.loadedAt).toISOString().slice(11, 16)} UTC${cost}`);
  }
  return parts.join(' · ');
}
