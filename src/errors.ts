/**
 * Domain errors carry a stable code (clients and tests match on it, never on the text),
 * the HTTP status the API answers with, and field-level messages for bad input.
 */
export interface FieldProblem {
  /** Field name or path (`servers[3].addresses[0]`, or `line 7, customer_email` for imports). */
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: FieldProblem[];
  constructor(code: string, status: number, message: string, options: { fields?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.fields = options.fields ?? [];
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', 404, `${what} ${JSON.stringify(id)} not found`);

export const invalidInput = (fields: FieldProblem[], message = 'the input has problems'): DomainError =>
  new DomainError('VALIDATION_FAILED', 400, `${message}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
    fields,
  });

export const conflict = (message: string, fields: FieldProblem[] = []): DomainError =>
  new DomainError('CONFLICT', 409, message, { fields });
