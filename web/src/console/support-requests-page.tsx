/** Open support requests from customers; answer and close. */
import { useState } from 'react';
import type { SupportRequest } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { DecisionForm } from './decision-form.tsx';

export function SupportRequestsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const requests = useApi<SupportRequest[]>('/api/v1/console/support-requests?state=open', { pollMs: 30_000 });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h1>{t('supportConsole.title')}</h1>
      <Notice text={notice} />
      <Loaded resource={requests}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('supportConsole.empty')}</p>
          ) : (
            list.map((r) => (
              <article key={r.id} className="card" data-support-id={r.id}>
                <h2>{r.subject}</h2>
                <p className="muted">
                  {r.customerId} · {r.createdBy} · {i18n.dateTime(r.created)}
                  {r.serverId !== null ? (
                    <>
                      {' · '}
                      <Link to={`/console/servers/${encodeURIComponent(r.serverId)}`}>{r.serverId}</Link>
                    </>
                  ) : null}
                  {r.blockingId !== null ? (
                    <>
                      {' · '}
                      <Link to={`/console/locks/${r.blockingId}`}>{r.blockingId}</Link>
                    </>
                  ) : null}
                </p>
                <p className="pre-line">{r.message}</p>
                <DecisionForm<SupportRequest>
                  id={`support-${r.id}`}
                  path={`/api/v1/console/support-requests/${r.id}/close`}
                  messageLabel={t('supportConsole.message')}
                  choices={[{ label: t('supportConsole.close'), tone: 'primary' }]}
                  onDone={() => {
                    setNotice(t('supportConsole.closedOk', { id: r.id }));
                    requests.reload();
                  }}
                />
              </article>
            ))
          )
        }
      </Loaded>
    </>
  );
}
