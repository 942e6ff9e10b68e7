/** The portal's start: my servers, each with the plain answer to "is it locked?" and its locks in force. */
import type { PortalServer } from '../api/api-types.ts';
import { useApi } from '../api/use-api.ts';
import { LockAnswer } from '../components/badges.tsx';
import { Loaded } from '../components/loaded.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router/router.tsx';
import { PortalLockTable } from './lock-facts.tsx';

export function ServersPage() {
  const { t } = useI18n();
  const servers = useApi<PortalServer[]>('/api/v1/portal/servers');
  return (
    <>
      <h1>{t('servers.title')}</h1>
      <p className="lead">{t('servers.intro')}</p>
      <Loaded resource={servers}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('servers.empty')}</p>
          ) : (
            list.map((server) => (
              <section key={server.id} className="card" aria-labelledby={`server-${server.id}`} data-server-id={server.id}>
                <h2 id={`server-${server.id}`}>
                  {server.name} <span className="muted mono">{server.id}</span>
                </h2>
                <LockAnswer serverName={`${server.name} (${server.id})`} status={server.lockStatus} addresses={server.locks.flatMap((l) => l.addresses)} />
                <p>
                  <strong>{t('servers.addresses')}:</strong> <span className="mono">{server.addresses.join(', ')}</span>
                </p>
                {server.locks.length > 0 ? (
                  <>
                    <h3>{t('servers.locksInForce')}</h3>
                    <PortalLockTable locks={server.locks} />
                  </>
                ) : null}
                <p className="links">
                  <Link to={`/portal/server-locking?serverId=${encodeURIComponent(server.id)}`}>{t('nav.serverLocking')}</Link>
                  <Link to={`/portal/remote-console?serverId=${encodeURIComponent(server.id)}`}>{t('nav.remoteConsole')}</Link>
                  <Link to={`/portal/support?serverId=${encodeURIComponent(server.id)}`}>{t('nav.support')}</Link>
                </p>
              </section>
            ))
          )
        }
      </Loaded>
    </>
  );
}
