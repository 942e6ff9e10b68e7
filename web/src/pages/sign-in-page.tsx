/** Sign-in for customers and the abuse desk; afterwards each lands in their own area. */
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/api-client.ts';
import { TextField } from '../components/fields.tsx';
import { LanguageSwitch } from '../components/layout.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

export function SignInPage() {
  const { t } = useI18n();
  const session = useSession();
  const { path, query } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await session.signIn(email, password);
      const home = user.role === 'customer' ? '/portal' : '/console';
      // Back to the page that asked for sign-in, if it belongs to the person's area.
      const wanted = path.startsWith(home) ? path + (query.toString() === '' ? '' : `?${query}`) : home;
      navigate(wanted, { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 429) setError(t('signIn.limited', { minutes: Math.max(1, Math.ceil((caught.retryAfterSeconds ?? 60) / 60)) }));
      else if (caught instanceof ApiError && caught.status === 401) setError(t('signIn.invalid'));
      else setError(t('app.error', { message: caught instanceof Error ? caught.message : String(caught) }));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="card narrow">
        <div className="sign-in-head">
          <h1>
            {t('app.name')} · {t('signIn.title')}
          </h1>
          <LanguageSwitch />
        </div>
        <p className="muted">{t('signIn.intro')}</p>
        {error !== null ? (
          <div className="error-summary" role="alert">
            <p>{error}</p>
          </div>
        ) : null}
        <form onSubmit={(e) => void onSubmit(e)} noValidate>
          <TextField id="email" label={t('signIn.email')} type="email" autoComplete="username" value={email} onChange={setEmail} />
          <TextField id="password" label={t('signIn.password')} type="password" autoComplete="current-password" value={password} onChange={setPassword} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('form.sending') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
