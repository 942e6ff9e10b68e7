/**
 * The frame of every page: skip link, header with the area's navigation, the language
 * switch and sign-out, and the main landmark the skip link jumps to.
 */
import { type FormEvent, type ReactNode, useState } from 'react';
import type { Language } from '../api/api-types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

export interface NavItem {
  to: string;
  label: MessageKey;
}

export function LanguageSwitch() {
  const { t, language } = useI18n();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const choose = async (next: Language) => {
    setBusy(true);
    try {
      await session.setLanguage(next);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="language" role="group" aria-label={t('app.language')}>
      {(['en', 'de'] as const).map((l) => (
        <button key={l} type="button" className="link-button" lang={l} aria-pressed={language === l} disabled={busy} onClick={() => void choose(l)}>
          {l === 'en' ? 'English' : 'Deutsch'}
        </button>
      ))}
    </div>
  );
}

function SearchBox() {
  const { t } = useI18n();
  const { query } = useLocation();
  const [text, setText] = useState(query.get('q') ?? '');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== '') navigate(`/console/search?q=${encodeURIComponent(text.trim())}`);
  };
  return (
    <form className="search" role="search" onSubmit={onSubmit}>
      <label htmlFor="header-search" className="visually-hidden">
        {t('search.label')}
      </label>
      <input id="header-search" type="search" value={text} placeholder={t('search.placeholder')} onChange={(e) => setText(e.target.value)} />
      <button type="submit">{t('search.submit')}</button>
    </form>
  );
}

export function Layout({ area, nav, children }: { area: 'portal' | 'console'; nav: NavItem[]; children: ReactNode }) {
  const { t } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const current = (to: string) => (to === `/${area}` ? path === to : path === to || path.startsWith(`${to}/`));
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className={`top ${area}`}>
        <div className="brand">
          <Link to={`/${area}`}>{t('app.name')}</Link>
          <span className="area">{t(area === 'portal' ? 'app.portal' : 'app.console')}</span>
        </div>
        {area === 'console' ? <SearchBox /> : null}
        <div className="account">
          <LanguageSwitch />
          <span className="muted">{t('app.signedInAs', { email: session.user?.email ?? '' })}</span>
          <button type="button" className="link-button" onClick={() => void session.signOut().then(() => navigate('/', { replace: true }))}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <nav className="tabs" aria-label={t(area === 'portal' ? 'app.portal' : 'app.console')}>
        <ul>
          {nav.map((item) => (
            <li key={item.to}>
              <Link to={item.to} aria-current={current(item.to) ? 'page' : undefined}>
                {t(item.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
