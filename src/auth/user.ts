/** People who sign in: customers (one customer account each), abuse-desk staff, admins. */

export const USER_ROLES = ['customer', 'staff', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_LANGUAGES = ['en', 'de'] as const;
export type UserLanguage = (typeof USER_LANGUAGES)[number];

export interface User {
  id: number;
  /** As entered; sign-in compares case-insensitively. */
  email: string;
  role: UserRole;
  /** The customer account a customer user belongs to; null for staff and admins. */
  customerId: string | null;
  language: UserLanguage;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

/** The form of an e-mail address that uniqueness and sign-in compare. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
