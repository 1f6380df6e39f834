/**
 * A strict fake desk for HTTP tests: node:http on 127.0.0.1, port 0. Each test registers the
 * exchanges it expects as stubs. A request that matches no stub is answered 599 and recorded,
 * and assertDone() (run it in afterEach, or use fakeDeskPerTest) fails the test for it and for
 * every stub that was not called as often as declared.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach } from 'vitest';

export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body, or undefined. */
  json: unknown;
}

export type FakeReply =
  | {
      status?: number;
      headers?: Record<string, string | number>;
      /** Sent as application/json. */
      json?: unknown;
      /** Sent as is (set content-type in headers). */
      body?: string | Buffer;
    }
  /** Read the request, then destroy the socket without answering (ECONNRESET / socket hang up). */
  | { reset: true }
  /** Read the request and never answer (for timeouts). */
  | { hang: true }
  /** Send headers declaring `declaredLength` bytes, write `body`, then cut the connection. */
  | { truncate: { status?: number; declaredLength: number; body: string; headers?: Record<string, string> } };

export type Responder = FakeReply | ((req: FakeRequest) => FakeReply | Promise<FakeReply>);

export interface Stub {
  method: string;
  path: string | RegExp;
  /** Query parameters that must be present with these values (others are ignored). */
  query?: Record<string, string>;
  /** How many calls this stub serves and expects (default 1; Infinity: at least one). */
  times: number;
  calls: FakeRequest[];
  reply: Responder;
}

export class FakeDesk {
  readonly requests: FakeRequest[] = [];
  readonly unmatched: FakeRequest[] = [];
  private readonly stubs: Stub[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeDesk> {
    let desk: FakeDesk | undefined;
    const server = createServer((req, res) => {
      void desk!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    desk = new FakeDesk(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      desk!.sockets.add(socket);
      socket.on('close', () => desk!.sockets.delete(socket));
    });
    return desk;
  }

  /** Expects `method path` (exact path or RegExp on the path) and answers with `reply`. */
  on(method: string, path: string | RegExp, reply: Responder, options: { query?: Record<string, string>; times?: number } = {}): Stub {
    const stub: Stub = { method: method.toUpperCase(), path, query: options.query, times: options.times ?? 1, calls: [], reply };
    this.stubs.push(stub);
    return stub;
  }

  get(path: string | RegExp, reply: Responder, options?: { query?: Record<string, string>; times?: number }): Stub {
    return this.on('GET', path, reply, options);
  }

  put(path: string | RegExp, reply: Responder, options?: { query?: Record<string, string>; times?: number }): Stub {
    return this.on('PUT', path, reply, options);
  }

  post(path: string | RegExp, reply: Responder, options?: { query?: Record<string, string>; times?: number }): Stub {
    return this.on('POST', path, reply, options);
  }

  /** Throws if a request matched no stub or a stub was not called as often as it expects. */
  assertDone(): void {
    const problems: string[] = [];
    for (const r of this.unmatched) {
      problems.push(`unexpected request: ${r.method} ${r.path}${r.query.size > 0 ? `?${r.query.toString()}` : ''}`);
    }
    for (const s of this.stubs) {
      const expected = s.times === Infinity ? 1 : s.times;
      if (s.calls.length < expected) {
        problems.push(
          `stub not used${s.times === Infinity ? '' : ` ${s.times - s.calls.length} more time(s)`}: ${s.method} ${String(s.path)}${
            s.query ? ` ${JSON.stringify(s.query)}` : ''
          }`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`fake desk at ${this.url}:\n  ${problems.join('\n  ')}`);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private match(req: FakeRequest): Stub | undefined {
    return this.stubs.find(
      (s) =>
        s.calls.length < s.times &&
        s.method === req.method &&
        (typeof s.path === 'string' ? s.path === req.path : s.path.test(req.path)) &&
        Object.entries(s.query ?? {}).every(([k, v]) => req.query.get(k) === v),
    );
  }

  private async handle(req: import('node:http').IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const fake: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, text, json };
    this.requests.push(fake);
    const stub = this.match(fake);
    if (!stub) {
      this.unmatched.push(fake);
      res.writeHead(599, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'NoStub', description: `no stub for ${fake.method} ${fake.path}` }));
      return;
    }
    stub.calls.push(fake);
    const reply = typeof stub.reply === 'function' ? await stub.reply(fake) : stub.reply;
    if ('reset' in reply) {
      req.socket.destroy();
      return;
    }
    if ('hang' in reply) {
      this.hanging.add(res);
      return;
    }
    if ('truncate' in reply) {
      const t = reply.truncate;
      res.writeHead(t.status ?? 200, { 'content-type': 'application/json', ...t.headers, 'content-length': String(t.declaredLength) });
      res.write(t.body, () => res.socket?.destroy());
      return;
    }
    const headers: Record<string, string | number> = { ...reply.headers };
    let body: string | Buffer = '';
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    } else if (reply.body !== undefined) {
      body = reply.body;
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(body);
  }
}

/** A fresh FakeDesk for each test, checked with assertDone() and closed after it. */
export function fakeDeskPerTest(): () => FakeDesk {
  let desk: FakeDesk | undefined;
  beforeEach(async () => {
    desk = await FakeDesk.start();
  });
  afterEach(async () => {
    const current = desk;
    desk = undefined;
    if (!current) return;
    try {
      current.assertDone();
    } finally {
      await current.close();
    }
  });
  return () => {
    if (!desk) throw new Error('fakeDeskPerTest: no desk outside a test');
    return desk;
  };
}
