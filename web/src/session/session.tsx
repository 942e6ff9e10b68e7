/**
 * Who is signed in. On start GET /api/v1/session answers with the person and the CSRF
 * token (the HttpOnly cookie itself is never visible to scripts); sign-in and sign-out go
 * through POST and DELETE. A 401 from any later call means the session ended.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { apiGet, apiSend, setCsrfToken, setUnauthenticatedHandler } from '../api/api-client.ts';
import type { Language, SessionInfo, User } from '../api/api-types.ts';
import { browserLanguage } from '../i18n/i18n.tsx';

export interface Session {
  /** undefined while the first check runs; null when nobody is signed in. */
  user: User | null | undefined;
  language: Language;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
  setLanguage(language: Language): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [anonymousLanguage, setAnonymousLanguage] = useState<Language>(browserLanguage);

  const accept = useCallback((info: SessionInfo | null) => {
    setCsrfToken(info?.csrfToken ?? null);
    setUser(info?.user ?? null);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => accept(null));
    // Not signed in (401) or the API unreachable: either way the sign-in page.
    apiGet<SessionInfo>('/api/v1/session').then(accept, () => accept(null));
  }, [accept]);

  const value = useMemo<Session>(
    () => ({
      user,
      language: user?.language ?? anonymousLanguage,
      async signIn(email, password) {
        const info = await apiSend<SessionInfo>('POST', '/api/v1/session', { email, password });
        accept(info);
        return info.user;
      },
      async signOut() {
        try {
          await apiSend('DELETE', '/api/v1/session');
        } finally {
          accept(null);
        }
      },
      async setLanguage(language) {
        if (user === null || user === undefined) {
          setAnonymousLanguage(language);
          return;
        }
        setUser(await apiSend<User>('PATCH', '/api/v1/account', { language }));
      },
    }),
    [user, anonymousLanguage, accept],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionProvider');
  return session;
}
