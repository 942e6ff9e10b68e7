/** The audit log, newest first, page by page, filtered by actor or subject. */
import { type FormEvent, useState } from 'react';
import { apiGet, withQuery } from '../api/api-client.ts';
import type { AuditEntry } from '../api/api-types.ts';
import { TextField } from '../components/fields.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useApi } from '../api/use-api.ts';
import { Loaded } from '../components/loaded.tsx';

interface AuditPage {
  entries: AuditEntry[];
  nextBeforeId: number | null;
}

export function AuditPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [actorId, setActorId] = useState('');
  const [subjectId, setSubjectId] = useState('');
  const [filter, setFilter] = useState({ actorId: '', subjectId: '' });
  const first = useApi<AuditPage>(withQuery('/api/v1/console/audit', { limit: 50, ...filter }));
  const [more, setMore] = useState<{ entries: AuditEntry[]; nextBeforeId: number | null; forFilter: string } | null>(null);
  const filterKey = JSON.stringify(filter);
  const extra = more !== null && more.forFilter === filterKey ? more : null;
  const next = extra?.nextBeforeId ?? first.data?.nextBeforeId ?? null;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ actorId: actorId.trim(), subjectId: subjectId.trim() });
  };
  const loadOlder = async () => {
    if (next === null) return;
    const page = await apiGet<AuditPage>(withQuery('/api/v1/console/audit', { limit: 50, beforeId: next, ...filter }));
    setMore({ entries: [...(extra?.entries ?? []), ...page.entries], nextBeforeId: page.nextBeforeId, forFilter: filterKey });
  };

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <p className="lead">{t('audit.intro')}</p>
      <form className="row filters" onSubmit={apply}>
        <TextField id="audit-actor" label={t('audit.filterActor')} value={actorId} onChange={setActorId} />
        <TextField id="audit-subject" label={t('audit.filterSubject')} value={subjectId} onChange={setSubjectId} />
        <button type="submit">{t('audit.apply')}</button>
      </form>
      <Loaded resource={first}>
        {(page) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('audit.at')}</th>
                    <th scope="col">{t('audit.actor')}</th>
                    <th scope="col">{t('audit.action')}</th>
                    <th scope="col">{t('audit.subject')}</th>
                    <th scope="col">{t('audit.details')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...page.entries, ...(extra?.entries ?? [])].map((e) => (
                    <tr key={e.id}>
                      <td>{i18n.dateTime(e.at)}</td>
                      <td>
                        {e.actor.type}/{e.actor.id}
                      </td>
                      <td className="mono">{e.action}</td>
                      <td>
                        {e.subjectType} <span className="mono">{e.subjectId}</span>
                      </td>
                      <td className="mono small">{Object.keys(e.details).length === 0 ? '' : JSON.stringify(e.details)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {next !== null ? (
              <button type="button" onClick={() => void loadOlder()}>
                {t('audit.older')}
              </button>
            ) : null}
          </>
        )}
      </Loaded>
    </>
  );
}
