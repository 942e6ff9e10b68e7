/** Locks that policy holds for a decision, oldest first, with their incidents; confirm or dismiss. */
import { useState } from 'react';
import type { ReviewItem, StaffLock } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { formatRate } from './chart-scale.ts';
import { DecisionForm } from './decision-form.tsx';

const LOCALES = { en: 'en-GB', de: 'de-DE' } as const;

export function ReviewQueuePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const locale = LOCALES[i18n.language];
  const queue = useApi<ReviewItem[]>('/api/v1/console/review-queue', { pollMs: 15_000 });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h1>{t('review.title')}</h1>
      <p className="lead">{t('review.intro')}</p>
      <Notice text={notice} />
      <Loaded resource={queue}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('review.empty')}</p>
          ) : (
            items.map((lock) => (
              <article key={lock.blockingId} className="card" data-blocking-id={lock.blockingId}>
                <h2>
                  <Link className="mono" to={`/console/locks/${lock.blockingId}`}>
                    {lock.blockingId}
                  </Link>{' '}
                  · <Link to={`/console/servers/${encodeURIComponent(lock.serverId)}`}>{lock.serverId}</Link> · {t(`reason.${lock.reason}` as MessageKey)}
                </h2>
                <p className="muted">
                  {lock.customerId} · {i18n.dateTime(lock.created)} · {lock.addresses.join(', ')}
                </p>
                <ul className="plain">
                  {lock.incidents.map((inc) => (
                    <li key={inc.id}>
                      {t(`kind.${inc.kind}` as MessageKey)} ({t(`direction.${inc.direction}` as MessageKey)}), {i18n.dateTime(inc.start)}: {formatRate(inc.peak.packetsPerSecond, 'pps', locale)},{' '}
                      {formatRate(inc.peak.bitsPerSecond, 'bit/s', locale)}
                    </li>
                  ))}
                </ul>
                <DecisionForm<StaffLock>
                  id={`review-${lock.blockingId}`}
                  path={`/api/v1/locks/${lock.blockingId}/review`}
                  messageLabel={t('review.message')}
                  choices={[
                    { decision: 'confirm', label: t('review.confirm'), tone: 'danger' },
                    { decision: 'dismiss', label: t('review.dismiss'), tone: 'plain' },
                  ]}
                  onDone={(result, choice) => {
                    setNotice(t(choice.decision === 'confirm' ? 'review.confirmed' : 'review.dismissed', { blockingId: result.blockingId }));
                    queue.reload();
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
