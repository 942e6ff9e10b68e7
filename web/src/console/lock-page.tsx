/** One lock for the abuse desk: facts, history with actors, unblock requests, log, pcap, release. */
import { useState } from 'react';
import { apiGetText } from '../api/api-client.ts';
import type { StaffLock, StaffLockDetail } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { Badge, LockStateBadge } from '../components/badges.tsx';
import { Notice } from '../components/form-messages.tsx';
import { Loaded } from '../components/loaded.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { DecisionForm } from './decision-form.tsx';

export function ConsoleLockPage({ blockingId }: { blockingId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const base = `/api/v1/locks/${encodeURIComponent(blockingId)}`;
  const lock = useApi<StaffLockDetail>(base);
  const log = useApi<string>(`${base}/log`, { load: apiGetText });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h1>{t('lock.title', { blockingId })}</h1>
      <Notice text={notice} />
      <Loaded resource={lock}>
        {(l) => (
          <>
            <section className="card">
              <dl className="facts">
                <dt>{t('lock.server')}</dt>
                <dd>
                  <Link to={`/console/servers/${encodeURIComponent(l.serverId)}`}>{l.serverId}</Link> · {l.customerId}
                </dd>
                <dt>{t('lock.reason')}</dt>
                <dd>{t(`reason.${l.reason}` as MessageKey)}</dd>
                <dt>{t('lock.scope')}</dt>
                <dd className="mono">{l.addresses.join(', ')}</dd>
                <dt>{t('lock.state')}</dt>
                <dd>
                  <LockStateBadge state={l.state} /> {l.enforced ? <Badge tone="bad">{t('locksConsole.enforced')}</Badge> : null}{' '}
                  {l.dryRun ? <Badge tone="neutral">{t('locksConsole.dryRun')}</Badge> : null}
                </dd>
                <dt>{t('locksConsole.source')}</dt>
                <dd>
                  {l.source} · {l.createdBy}
                </dd>
                <dt>{t('locksConsole.created')}</dt>
                <dd>{i18n.dateTime(l.created)}</dd>
                {l.statement !== '' ? (
                  <>
                    <dt>{t('lock.statement')}</dt>
                    <dd className="pre-line">{l.statement}</dd>
                  </>
                ) : null}
                <dt>{t('locksConsole.incidents')}</dt>
                <dd className="mono">{l.incidents.join(', ') || '—'}</dd>
              </dl>
              <p className="links">
                <a href={`${base}/log`} download={`${blockingId}.log`}>
                  {t('lock.download', { file: `${blockingId}.log` })}
                </a>
                <a href={`${base}/pcap`} download={`${blockingId}.pcap`}>
                  {t('locksConsole.pcap')}
                </a>
              </p>
            </section>
            {l.state === 'active' || l.state === 'unblock_requested' ? (
              <section className="card">
                <h2>{t('locksConsole.release')}</h2>
                <DecisionForm<StaffLock>
                  id="release"
                  path={`${base}/release`}
                  messageLabel={t('locksConsole.releaseMessage')}
                  choices={[{ label: t('locksConsole.release'), tone: 'primary' }]}
                  onDone={() => {
                    setNotice(t('locksConsole.releasedOk', { blockingId }));
                    lock.reload();
                  }}
                />
              </section>
            ) : null}
            <section className="card">
              <h2>{t('lock.history')}</h2>
              <ol className="history">
                {l.history.map((h, i) => (
                  <li key={i}>
                    <time dateTime={h.at}>{i18n.dateTime(h.at)}</time> — {h.action} → <LockStateBadge state={h.to as StaffLock['state']} /> · {h.actor.type}/{h.actor.id}
                    {h.message !== '' ? <span className="muted"> “{h.message}”</span> : null}
                  </li>
                ))}
              </ol>
            </section>
            {l.unblockRequests.length > 0 ? (
              <section className="card">
                <h2>{t('requests.title')}</h2>
                {l.unblockRequests.map((r) => (
                  <article key={r.id} className="request">
                    <p>
                      {i18n.dateTime(r.created)} · {r.createdBy} <Badge tone={r.state === 'approved' ? 'good' : r.state === 'rejected' ? 'bad' : 'warn'}>{t(`request.${r.state}` as MessageKey)}</Badge>
                    </p>
                    <p className="pre-line">
                      <strong>{t('requests.cause')}:</strong> {r.cause}
                    </p>
                    <p className="pre-line">
                      <strong>{t('requests.measures')}:</strong> {r.measures}
                    </p>
                    {r.decisionMessage !== '' ? (
                      <p>
                        <strong>{t('requests.decided')}:</strong> {r.decidedBy} “{r.decisionMessage}”
                      </p>
                    ) : null}
                  </article>
                ))}
                {l.unblockRequests.some((r) => r.state === 'open') ? <Link to="/console/unblock-requests">{t('nav.unblockRequests')}</Link> : null}
              </section>
            ) : null}
          </>
        )}
      </Loaded>
      <section className="card">
        <h2>{t('lock.log')}</h2>
        <Loaded resource={log}>{(text) => (text === '' ? <p>{t('lock.logEmpty')}</p> : <pre className="log" tabIndex={0}>{text}</pre>)}</Loaded>
      </section>
    </>
  );
}
