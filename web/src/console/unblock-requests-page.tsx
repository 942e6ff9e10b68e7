/**
 * Unblock requests waiting for the abuse desk: the customer's cause and measures beside
 * the lock; approve (released everywhere) or reject with a message to the customer.
 */
import { useState } from 'react';
import type { StaffLock, StaffLockDetail, StaffUnblockRequest } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge, LockStateBadge } from '../components/badges.tsx';
import { Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { DecisionForm } from './decision-form.tsx';

function LockLine({ blockingId }: { blockingId: string }) {
  const { t } = useI18n();
  const lock = useApi<StaffLockDetail>(`/api/v1/locks/${encodeURIComponent(blockingId)}`);
  return (
    <Loaded resource={lock}>
      {(l) => (
        <p>
          <Link to={`/console/servers/${encodeURIComponent(l.serverId)}`}>{l.serverId}</Link> · {l.customerId} · {t(`reason.${l.reason}` as MessageKey)} · <LockStateBadge state={l.state} />
          {l.requiresApproval ? <span className="muted"> · {t('lock.requiresApproval')}</span> : null}
        </p>
      )}
    </Loaded>
  );
}

export function UnblockRequestsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const open = useApi<StaffUnblockRequest[]>('/api/v1/unblock-requests?state=open', { pollMs: 15_000 });
  const approved = useApi<StaffUnblockRequest[]>('/api/v1/unblock-requests?state=approved');
  const rejected = useApi<StaffUnblockRequest[]>('/api/v1/unblock-requests?state=rejected');
  const [notice, setNotice] = useState<string | null>(null);
  const decided = [...(approved.data ?? []), ...(rejected.data ?? [])].sort((a, b) => (b.decided ?? '').localeCompare(a.decided ?? '')).slice(0, 10);
  const reloadAll = () => {
    open.reload();
    approved.reload();
    rejected.reload();
  };
  return (
    <>
      <h1>{t('requests.title')}</h1>
      <p className="lead">{t('requests.intro')}</p>
      <Notice text={notice} />
      <Loaded resource={open}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('requests.empty')}</p>
          ) : (
            list.map((r) => (
              <article key={r.id} className="card" data-request-id={r.id} data-blocking-id={r.blockingId}>
                <h2>
                  <Link className="mono" to={`/console/locks/${r.blockingId}`}>
                    {r.blockingId}
                  </Link>{' '}
                  <span className="muted small">{t('requests.from', { who: r.createdBy, time: i18n.dateTime(r.created) })}</span>
                </h2>
                <LockLine blockingId={r.blockingId} />
                <dl className="facts">
                  <dt>{t('requests.cause')}</dt>
                  <dd className="pre-line">{r.cause}</dd>
                  <dt>{t('requests.measures')}</dt>
                  <dd className="pre-line">{r.measures}</dd>
                </dl>
                <DecisionForm<{ lock: StaffLock; request: StaffUnblockRequest }>
                  id={`request-${r.id}`}
                  path={`/api/v1/unblock-requests/${r.id}/decision`}
                  messageLabel={t('requests.message')}
                  choices={[
                    { decision: 'approve', label: t('requests.approve'), tone: 'primary' },
                    { decision: 'reject', label: t('requests.reject'), tone: 'danger' },
                  ]}
                  onDone={(result, choice) => {
                    setNotice(t(choice.decision === 'approve' ? 'requests.approved' : 'requests.rejected', { id: r.id, blockingId: result.lock.blockingId }));
                    reloadAll();
                  }}
                />
              </article>
            ))
          )
        }
      </Loaded>
      {decided.length > 0 ? (
        <section aria-labelledby="decided-title">
          <h2 id="decided-title">{t('requests.showDecided')}</h2>
          <ul className="plain">
            {decided.map((r) => (
              <li key={r.id}>
                <Link className="mono" to={`/console/locks/${r.blockingId}`}>
                  {r.blockingId}
                </Link>{' '}
                <Badge tone={r.state === 'approved' ? 'good' : 'bad'}>{t(`request.${r.state}` as MessageKey)}</Badge> {r.decided !== null ? i18n.dateTime(r.decided) : ''} · {r.decidedBy}
                {r.decisionMessage !== '' ? <span className="muted"> “{r.decisionMessage}”</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
