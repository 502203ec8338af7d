/**
 * The tray menu as plain data, and the small helpers its parts share
 * (tray-model.ts builds the whole menu, tray-call-menu.ts the call's part).
 * Pure: no electron.
 */
import type { DesktopCommand, DesktopState, Presence } from '../shared/desktop-state.js';
import type { ShortcutAction } from '../shared/ipc.js';

/** What a menu item does when clicked. */
export type TrayAction = { kind: 'command'; command: DesktopCommand } | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'separator' }
  | {
      type: 'normal' | 'radio';
      label: string;
      enabled: boolean;
      checked?: boolean;
      action?: TrayAction;
      /** Shown next to the label only (never registered by the menu): the global shortcut doing the same. */
      accelerator?: string;
      submenu?: TrayMenuItem[];
    };

/** The global shortcuts that work right now (registered), by what they do. */
export type ShortcutHints = Partial<Record<ShortcutAction, string>>;

export const STATUS_WORDS: Record<Presence, string> = {
  available: 'available',
  away: 'away',
  dnd: 'do not disturb',
  busy: 'busy',
  offline: 'offline',
};

export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

/** Menu labels are the user's text: '&' would become a mnemonic on Windows and Linux. */
export function menuText(text: string): string {
  return text.replaceAll('&', '&&');
}

export const command = (value: DesktopCommand): TrayAction => ({ kind: 'command', command: value });

/** The shortcut hint of an item, when that shortcut works now. */
export const withKey = (accelerator: string | undefined): { accelerator?: string } => (accelerator === undefined ? {} : { accelerator });

type MenuContact = DesktopState['contacts'][number];

/** Contacts as menu items, favorites first with a line between them and the others (the order the state gives). */
export function contactGroups(contacts: readonly MenuContact[], item: (contact: MenuContact) => TrayMenuItem): TrayMenuItem[] {
  const favorites = contacts.filter((contact) => contact.favorite).map(item);
  const others = contacts.filter((contact) => !contact.favorite).map(item);
  return [...favorites, ...(favorites.length > 0 && others.length > 0 ? [{ type: 'separator' } as const] : []), ...others];
}
