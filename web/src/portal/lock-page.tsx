/**
 * One lock: its facts, the plain answer, the log file to read and download (the same file
 * the e-mail carried), its history and my unblock requests with the desk's answers.
 */
import { useEffect } from 'react';
import { apiGetText } from '../api/api-client.ts';
import type { PortalLockDetail } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge, LockStateBadge } from '../components/badges.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { reasonText, scopeText } from './lock-facts.tsx';

const REQUEST_TONE = { open: 'warn', approved: 'good', rejected: 'bad' } as const;

export function LockPage({ blockingId }: { blockingId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const base = `/api/v1/portal/locks/${encodeURIComponent(blockingId)}`;
  const lock = useApi<PortalLockDetail>(base);
  const log = useApi<string>(`${base}/log`, { load: apiGetText });

  // Links to #log scroll once the log is there.
  useEffect(() => {
    if (log.data !== undefined && window.location.hash === '#log') document.getElementById('log')?.scrollIntoView();
  }, [log.data]);

  return (
    <>
      <p>
        <Link to="/portal/locks">← {t('locks.title')}</Link>
      </p>
      <h1>{t('lock.title', { blockingId })}</h1>
      <Loaded resource={lock}>
        {(l) => (
          <>
            <section className="card">
              <dl className="facts">
                <dt>{t('lock.blockingId')}</dt>
                <dd className="mono">{l.blockingId}</dd>
                <dt>{t('lock.server')}</dt>
                <dd>{l.serverId}</dd>
                <dt>{t('lock.reason')}</dt>
                <dd>{reasonText(t, l.reason)}</dd>
                <dt>{t('lock.scope')}</dt>
                <dd>
                  {scopeText(t, l)}
                  {l.scope === 'server' ? <span className="muted mono"> ({l.addresses.join(', ')})</span> : null}
                </dd>
                <dt>{t('lock.since')}</dt>
                <dd>{i18n.dateTime(l.since)}</dd>
                <dt>{t('lock.state')}</dt>
                <dd>
                  <LockStateBadge state={l.state} />
                </dd>
                {l.released !== null ? (
                  <>
                    <dt>{t('lock.released')}</dt>
                    <dd>{i18n.dateTime(l.released)}</dd>
                  </>
                ) : null}
                {l.statement !== '' ? (
                  <>
                    <dt>{t('lock.statement')}</dt>
                    <dd>{l.statement}</dd>
                  </>
                ) : null}
              </dl>
              {l.requiresApproval && l.state !== 'released' ? <p className="muted">{t('lock.requiresApproval')}</p> : null}
              {l.canRequestUnblock ? (
                <p>
                  <Link className="button primary" to={`/portal/unblock?blockingId=${l.blockingId}`}>
                    {t('lock.requestUnblock')}
                  </Link>
                </p>
              ) : null}
            </section>

            {l.unblockRequests.length > 0 ? (
              <section className="card">
                <h2>{t('lock.unblockRequests')}</h2>
                {l.unblockRequests.map((r) => (
                  <article key={r.id} className="request" data-request-id={r.id}>
                    <p>
                      {i18n.dateTime(r.created)} <Badge tone={REQUEST_TONE[r.state]}>{t(`request.${r.state}` as MessageKey)}</Badge>
                    </p>
                    <p>
                      <strong>{t('unblock.cause')}:</strong> {r.cause}
                    </p>
                    <p>
                      <strong>{t('unblock.measures')}:</strong> {r.measures}
                    </p>
                    {r.decisionMessage !== '' ? (
                      <p>
                        <strong>{t('lock.decisionMessage')}:</strong> {r.decisionMessage}
                      </p>
                    ) : null}
                  </article>
                ))}
              </section>
            ) : null}

            <section className="card">
              <h2>{t('lock.history')}</h2>
              <ol className="history">
                {l.history.map((h, i) => (
                  <li key={i}>
                    <time dateTime={h.at}>{i18n.dateTime(h.at)}</time> — <LockStateBadge state={h.to as PortalLockDetail['state']} /> ({t(h.by === 'customer' ? 'lock.byCustomer' : 'lock.byProvider')})
                    {h.message !== '' ? <span className="muted"> “{h.message}”</span> : null}
                  </li>
                ))}
              </ol>
            </section>
          </>
        )}
      </Loaded>

      <section className="card" aria-labelledby="log">
        <h2 id="log">{t('lock.log')}</h2>
        <p className="muted">{t('lock.logIntro')}</p>
        <p>
          <a className="button" href={`${base}/log?download=true`} download={`${blockingId}.log`}>
            {t('lock.download', { file: `${blockingId}.log` })}
          </a>
        </p>
        <Loaded resource={log}>
          {(text) =>
            text === '' ? (
              <p>{t('lock.logEmpty')}</p>
            ) : (
              <pre className="log" tabIndex={0} aria-label={t('lock.log')} data-testid="lock-log">
                {text}
              </pre>
            )
          }
        </Loaded>
      </section>
    </>
  );
}
