/**
 * Sending a form to the API: busy while it runs, the API's field problems by field name
 * (shown beside each field and in a summary), a message for other errors. Nothing is
 * checked in the browser first: the API's answer is the one truth about what is missing.
 */
import { useCallback, useState } from 'react';
import { ApiError, type FieldProblem } from '../api/api-client.ts';

export interface FormState {
  busy: boolean;
  /** Problems by field, in the API's order. */
  problems: FieldProblem[];
  /** An error not tied to a field. */
  error: string | null;
  submit<T>(action: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
}

export function useForm(): FormState {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<string | null>(null);

  const submit = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      setProblems([]);
      return result;
    } catch (caught) {
      if (caught instanceof ApiError && caught.fields.length > 0) {
        setProblems(caught.fields);
      } else {
        setProblems([]);
        setError(caught instanceof Error ? caught.message : String(caught));
      }
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  const clear = useCallback(() => {
    setProblems([]);
    setError(null);
  }, []);

  return { busy, problems, error, submit, clear };
}

/** The first problem of a field (fields like addresses[2] count for addresses). */
export function problemOf(problems: readonly FieldProblem[], field: string): string | undefined {
  return problems.find((p) => p.field === field || p.field.startsWith(`${field}[`) || p.field.startsWith(`${field}.`))?.message;
}
