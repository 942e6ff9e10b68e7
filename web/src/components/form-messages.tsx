/**
 * Above a form: the summary of its field problems (each a link to the field, focused when
 * it appears, as the GOV.UK pattern does), or an error not tied to a field; and the
 * success notice after sending.
 */
import { useEffect, useRef } from 'react';
import type { FieldProblem } from '../api/api-client.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function ErrorSummary({ problems, error, labels, idPrefix = '' }: { problems: FieldProblem[]; error: string | null; labels: Record<string, string>; idPrefix?: string }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problems.length > 0 || error !== null) box.current?.focus();
  }, [problems, error]);
  if (problems.length === 0 && error === null) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={box}>
      {error !== null ? <p>{t('app.error', { message: error })}</p> : null}
      {problems.length > 0 ? (
        <>
          <p>{problems.length === 1 ? t('form.problem.one') : t('form.problem.many', { count: problems.length })}</p>
          <ul>
            {problems.map((p) => {
              const base = p.field.replace(/[[.].*$/, '');
              return (
                <li key={`${p.field}:${p.message}`}>
                  <a href={`#${idPrefix}${base}`}>
                    {labels[base] ?? p.field}: {p.message}
                  </a>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p className="notice" role="status">
      {text}
    </p>
  );
}
