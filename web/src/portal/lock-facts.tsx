/** A lock's facts as the customer sees them: Blocking ID, reason, scope, since. */
import type { PortalLock } from '../api/api-types.ts';
import { LockStateBadge } from '../components/badges.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';

export function reasonText(t: (key: MessageKey) => string, reason: string): string {
  return t(`reason.${reason}` as MessageKey);
}

export function scopeText(t: (key: MessageKey, params?: Record<string, string>) => string, lock: { scope: string; addresses: string[] }): string {
  return lock.scope === 'server' ? t('scope.server') : t('scope.addresses', { addresses: lock.addresses.join(', ') });
}

/** One table of locks; the Blocking ID links to the lock's page. */
export function PortalLockTable({ locks, showServer = false }: { locks: PortalLock[]; showServer?: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('lock.blockingId')}</th>
            {showServer ? <th scope="col">{t('lock.server')}</th> : null}
            <th scope="col">{t('lock.reason')}</th>
            <th scope="col">{t('lock.scope')}</th>
            <th scope="col">{t('lock.since')}</th>
            <th scope="col">{t('lock.state')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('lock.readLog')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {locks.map((lock) => (
            <tr key={lock.blockingId} data-blocking-id={lock.blockingId}>
              <td>
                <Link to={`/portal/locks/${lock.blockingId}`} className="mono">
                  {lock.blockingId}
                </Link>
              </td>
              {showServer ? <td>{lock.serverId}</td> : null}
              <td>{reasonText(t, lock.reason)}</td>
              <td>{scopeText(t, lock)}</td>
              <td>{i18n.dateTime(lock.since)}</td>
              <td>
                <LockStateBadge state={lock.state} />
              </td>
              <td className="actions">
                <Link to={`/portal/locks/${lock.blockingId}#log`}>{t('lock.readLog')}</Link>
                {lock.canRequestUnblock ? <Link to={`/portal/unblock?blockingId=${lock.blockingId}`}>{t('lock.requestUnblock')}</Link> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
