/** Live incidents: the open ones, refreshed every few seconds, and the latest ended ones. */
import type { Incident } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Loaded } from '../components/loaded.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { IncidentTable } from './console-tables.tsx';

const POLL_SECONDS = 5;

export function IncidentsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const open = useApi<Incident[]>('/api/v1/incidents?status=open&limit=200', { pollMs: POLL_SECONDS * 1000 });
  const ended = useApi<Incident[]>('/api/v1/incidents?status=ended&limit=20', { pollMs: POLL_SECONDS * 1000 * 6 });
  return (
    <>
      <h1>{t('incidents.title')}</h1>
      <p className="lead">
        {t('incidents.intro', { seconds: POLL_SECONDS })}{' '}
        <span className="muted" aria-live="polite">
          {open.loadedAt !== undefined ? t('app.updated', { time: i18n.time(open.loadedAt) }) : null}
        </span>
      </p>
      <section aria-labelledby="open-title">
        <h2 id="open-title">
          {t('incidents.open')} {open.data !== undefined ? <span className="count">{open.data.length}</span> : null}
        </h2>
        <Loaded resource={open}>{(list) => (list.length === 0 ? <p>{t('incidents.none')}</p> : <IncidentTable incidents={list} />)}</Loaded>
      </section>
      <section aria-labelledby="ended-title">
        <h2 id="ended-title">{t('incidents.recent')}</h2>
        <Loaded resource={ended}>{(list) => (list.length === 0 ? <p>{t('app.none')}</p> : <IncidentTable incidents={list} />)}</Loaded>
      </section>
    </>
  );
}
