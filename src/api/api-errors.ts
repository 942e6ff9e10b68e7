/**
 * Every error leaves the API as { error: { code, message, fields } } with a stable code;
 * unexpected errors are logged and answered without internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type FieldProblem } from '../errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; fields: FieldProblem[] };
}

export function errorBody(code: string, message: string, fields: FieldProblem[] = []): ErrorBody {
  return { error: { code, message, fields } };
}

export function handleApiError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof DomainError) {
    void reply.status(error.status).send(errorBody(error.code, error.message, error.fields));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    const fields = fastifyError.validation.map((v) => ({
      field: (v.instancePath.replace(/^\//, '').replace(/\//g, '.') || String(v.params?.missingProperty ?? v.params?.additionalProperty ?? '(body)')),
      message: v.message ?? 'is invalid',
    }));
    void reply.status(400).send(errorBody('VALIDATION_FAILED', `request ${fastifyError.validationContext ?? ''} is invalid`.replace('  ', ' '), fields));
    return;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    void reply.status(fastifyError.statusCode).send(errorBody(fastifyError.code ?? 'BAD_REQUEST', error.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send(errorBody('INTERNAL', 'internal error; the request was logged'));
}
