/**
 * The terminal a screen draws on. The CLI hands its Io, whose streams already mask the
 * connection's secrets; screens need nothing else from it.
 */
import type { Readable, Writable } from 'node:stream';

export interface ScreenStreams {
  stdout: Writable;
  stdin: Readable;
  stderr: Writable;
}
