/**
 * The app: who is signed in decides the area — customers get the portal, staff and
 * admins the abuse-desk console — and the path decides the page. Nobody signed in sees
 * the sign-in page at whatever path they opened, and lands there after signing in.
 */
import { type ReactNode, useEffect } from 'react';
import { AuditPage } from './console/audit-page.tsx';
import { BookingsPage } from './console/bookings-page.tsx';
import { IncidentsPage } from './console/incidents-page.tsx';
import { ConsoleLockPage } from './console/lock-page.tsx';
import { LocksPage as ConsoleLocksPage } from './console/locks-page.tsx';
import { ReviewQueuePage } from './console/review-queue-page.tsx';
import { SearchPage } from './console/search-page.tsx';
import { ServerPage } from './console/server-page.tsx';
import { SupportRequestsPage } from './console/support-requests-page.tsx';
import { UnblockRequestsPage } from './console/unblock-requests-page.tsx';
import { Layout, type NavItem } from './components/layout.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { LockPage } from './portal/lock-page.tsx';
import { LocksPage } from './portal/locks-page.tsx';
import { RemoteConsolePage } from './portal/remote-console-page.tsx';
import { ServerLockingPage } from './portal/server-locking-page.tsx';
import { ServersPage } from './portal/servers-page.tsx';
import { SupportPage } from './portal/support-page.tsx';
import { UnblockPage } from './portal/unblock-page.tsx';
import { matchPath, navigate, RouterProvider, useLocation } from './router/router.tsx';
import { SessionProvider, useSession } from './session/session.tsx';

type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

const PORTAL_NAV: NavItem[] = [
  { to: '/portal', label: 'nav.servers' },
  { to: '/portal/locks', label: 'nav.locks' },
  { to: '/portal/unblock', label: 'nav.unblock' },
  { to: '/portal/server-locking', label: 'nav.serverLocking' },
  { to: '/portal/remote-console', label: 'nav.remoteConsole' },
  { to: '/portal/support', label: 'nav.support' },
];

const PORTAL_ROUTES: Route[] = [
  ['/portal', () => <ServersPage />],
  ['/portal/locks', () => <LocksPage />],
  ['/portal/locks/:blockingId', (p) => <LockPage key={p.blockingId} blockingId={p.blockingId} />],
  ['/portal/unblock', () => <UnblockPage />],
  ['/portal/server-locking', () => <ServerLockingPage />],
  ['/portal/remote-console', () => <RemoteConsolePage />],
  ['/portal/support', () => <SupportPage />],
];

const CONSOLE_NAV: NavItem[] = [
  { to: '/console', label: 'nav.incidents' },
  { to: '/console/review', label: 'nav.review' },
  { to: '/console/unblock-requests', label: 'nav.unblockRequests' },
  { to: '/console/locks', label: 'nav.consoleLocks' },
  { to: '/console/remote-console', label: 'nav.bookings' },
  { to: '/console/support', label: 'nav.consoleSupport' },
  { to: '/console/audit', label: 'nav.audit' },
];

const CONSOLE_ROUTES: Route[] = [
  ['/console', () => <IncidentsPage />],
  ['/console/servers/:serverId', (p) => <ServerPage key={p.serverId} serverId={p.serverId} />],
  ['/console/review', () => <ReviewQueuePage />],
  ['/console/unblock-requests', () => <UnblockRequestsPage />],
  ['/console/locks', () => <ConsoleLocksPage />],
  ['/console/locks/:blockingId', (p) => <ConsoleLockPage key={p.blockingId} blockingId={p.blockingId} />],
  ['/console/remote-console', () => <BookingsPage />],
  ['/console/support', () => <SupportRequestsPage />],
  ['/console/audit', () => <AuditPage />],
  ['/console/search', () => <SearchPage />],
];

function NotFound() {
  const { t } = useI18n();
  return <p>{t('app.notFound')}</p>;
}

function Pages() {
  const session = useSession();
  const { path } = useLocation();
  const user = session.user;
  const home = user === null || user === undefined ? null : user.role === 'customer' ? '/portal' : '/console';

  // A person outside their area (or at /) goes to their start page.
  useEffect(() => {
    if (home !== null && !path.startsWith(home)) navigate(home, { replace: true });
  }, [home, path]);

  if (user === undefined) return null;
  if (user === null) return <SignInPage />;
  const area = user.role === 'customer' ? 'portal' : 'console';
  const routes = area === 'portal' ? PORTAL_ROUTES : CONSOLE_ROUTES;
  for (const [pattern, render] of routes) {
    const params = matchPath(pattern, path);
    if (params !== null) {
      return (
        <Layout area={area} nav={area === 'portal' ? PORTAL_NAV : CONSOLE_NAV}>
          {render(params)}
        </Layout>
      );
    }
  }
  return (
    <Layout area={area} nav={area === 'portal' ? PORTAL_NAV : CONSOLE_NAV}>
      <NotFound />
    </Layout>
  );
}

function Localized({ children }: { children: ReactNode }) {
  const { language } = useSession();
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return <I18nProvider language={language}>{children}</I18nProvider>;
}

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Localized>
          <Pages />
        </Localized>
      </SessionProvider>
    </RouterProvider>
  );
}
