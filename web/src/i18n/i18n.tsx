/**
 * Texts and formats in the person's language (en or de): t(key, params) fills {name}
 * placeholders; dates and numbers follow the language's conventions in the browser's time
 * zone. The language comes from the account setting once signed in, before that from the
 * browser.
 */
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { Language } from '../api/api-types.ts';
import { de } from './messages-de.ts';
import { en, type MessageKey } from './messages-en.ts';

export type { MessageKey };
export type Params = Record<string, string | number>;

export interface I18n {
  language: Language;
  t(key: MessageKey, params?: Params): string;
  dateTime(iso: string | number): string;
  time(iso: string | number): string;
  /** Hours and minutes only (time slots). */
  clock(iso: string | number): string;
  date(iso: string | number): string;
  number(value: number): string;
}

const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { en, de };
const LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE' };

export function fill(text: string, params: Params = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function browserLanguage(): Language {
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function createI18n(language: Language): I18n {
  const dictionary = DICTIONARIES[language];
  const locale = LOCALES[language];
  const dateTime = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const date = new Intl.DateTimeFormat(locale, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  const number = new Intl.NumberFormat(locale);
  return {
    language,
    t: (key, params) => fill(dictionary[key] ?? en[key], params),
    dateTime: (value) => dateTime.format(new Date(value)),
    time: (value) => time.format(new Date(value)),
    clock: (value) => clock.format(new Date(value)),
    date: (value) => date.format(new Date(value)),
    number: (value) => number.format(value),
  };
}

const I18nContext = createContext<I18n>(createI18n('en'));

export function I18nProvider({ language, children }: { language: Language; children: ReactNode }) {
  const value = useMemo(() => createI18n(language), [language]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
