/**
 * Errors a handler throws to answer with a Zendesk-shaped error body. The server turns a
 * DeskHttpError into its status and JSON; anything else becomes a 500.
 */
export class DeskHttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(typeof body.description === 'string' ? body.description : String(body.error));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface FieldError {
  description: string;
  error?: string;
}

export function notFound(): DeskHttpError {
  return new DeskHttpError(404, { error: 'RecordNotFound', description: 'Not found' });
}

/** What Zendesk answers a signed-in user whose role may not use the endpoint. */
export function forbidden(): DeskHttpError {
  return new DeskHttpError(403, {
    error: 'Forbidden',
    description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
  });
}

export function badRequest(error: string, description: string): DeskHttpError {
  return new DeskHttpError(400, { error, description });
}

/** 422 RecordInvalid with per-field details, e.g. {status: [{description: "..."}]}. */
export function recordInvalid(details: Record<string, FieldError[]>): DeskHttpError {
  return new DeskHttpError(422, { error: 'RecordInvalid', description: 'Record validation errors', details });
}

export function fieldInvalid(field: string, description: string, error?: string): DeskHttpError {
  return recordInvalid({ [field]: [error ? { description, error } : { description }] });
}
