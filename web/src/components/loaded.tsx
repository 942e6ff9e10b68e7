/** Shows a resource: a loading line, the error with a retry button, or the content. */
import type { ReactNode } from 'react';
import type { Resource } from '../api/use-api.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function Loaded<T>({ resource, children }: { resource: Resource<T>; children(data: T): ReactNode }) {
  const { t } = useI18n();
  if (resource.data !== undefined) return <>{children(resource.data)}</>;
  if (resource.error !== undefined) {
    return (
      <div className="error-summary" role="alert">
        <p>{t('app.error', { message: resource.error.message })}</p>
        <button type="button" onClick={resource.reload}>
          {t('app.retry')}
        </button>
      </div>
    );
  }
  return (
    <p className="muted" aria-busy="true">
      {t('app.loading')}
    </p>
  );
}
