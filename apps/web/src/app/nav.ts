import type { Role } from '../api/types.ts';

/** The main navigation. An item with `roles` is shown only to them (the server enforces it anyway). */
export type NavItem = { readonly to: string; readonly label: string; readonly roles?: readonly Role[] };

export const NAV: readonly NavItem[] = [
  { to: '/inbox', label: 'Inbox' },
  { to: '/settings', label: 'Settings', roles: ['owner', 'admin'] },
];

export const navFor = (role: Role) => NAV.filter((item) => !item.roles || item.roles.includes(role));
