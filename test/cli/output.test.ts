/**
 * The output layer's streamed lists (`ticket list --all`): the same bytes as printList, and
 * each page written before the next is read.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createIo } from '../../src/cli/io.js';
import { printPages, type Column } from '../../src/cli/output.js';

function bufferIo() {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  const io = createIo({ stdout, stderr: new PassThrough(), stdin: new PassThrough() }, {});
  return { io, text: () => text };
}

async function* pagesOf<T>(pages: T[][], onNext?: (index: number) => void): AsyncGenerator<T[]> {
  for (let i = 0; i < pages.length; i++) {
    onNext?.(i);
    yield pages[i]!;
  }
}

describe('printPages', () => {
  it('writes a JSON array byte for byte as JSON.stringify(items, null, 2), across pages', async () => {
    const pages: unknown[][] = [[{ a: 1, b: [], c: { d: 'line\u2028sep\nnewline' } }, 'text'], [], [{ e: null }], [5, [1, 2]]];
    const { io, text } = bufferIo();
    await printPages(io, pagesOf(pages), [], { json: true });
    expect(text()).toBe(`${JSON.stringify(pages.flat(), null, 2)}\n`);

    const empty = bufferIo();
    await printPages(empty.io, pagesOf([]), [], { json: true });
    expect(empty.text()).toBe('[]\n');
  });

  it('writes each CSV page before it reads the next, the header with the first', async () => {
    const columns: Column<{ id: number }>[] = [{ key: 'id', header: 'ID' }];
    const { io, text } = bufferIo();
    const seen: string[] = [];
    await printPages(io, pagesOf([[{ id: 1 }, { id: 2 }], [{ id: 3 }]], () => seen.push(text())), columns, { csv: true });
    expect(seen).toEqual(['', 'id\n1\n2\n']);
    expect(text()).toBe('id\n1\n2\n3\n');
  });
});
