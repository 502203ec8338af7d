/**
 * The tray (notification area / menu bar) icon: its image, tooltip and menu
 * follow the DesktopState (tray-model.ts decides what they are), rebuilt
 * when the hub or the shortcuts change, never polled. Clicking the icon
 * shows or hides the window (Windows and Linux; on macOS a click opens the
 * menu, as menu bar items do). While the tray exists, closing the main window
 * hides it; the first time, a notification says Parley keeps running.
 */
import { join } from 'node:path';
import { Menu, nativeImage, Notification, Tray } from 'electron';
import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import type { DesktopHub } from './desktop-hub.js';
import { sameValue } from './desktop-hub.js';
import { createLogger } from './log.js';
import { trayView } from './tray-model.js';
import type { ShortcutHints, TrayAction, TrayMenuItem, TrayView } from './tray-model.js';
import type { Windows } from './windows.js';

const log = createLogger('tray');

/** The shortcut hints and their changes (hotkeys.ts). */
export interface ShortcutHintSource {
  hints(): ShortcutHints;
  onChange(listener: () => void): () => void;
}

/** Remembers whether the "keeps running in the tray" notice was shown (settings.ts). */
export interface HideNoticeMemory {
  wasShown(): boolean;
  markShown(): void;
}

export interface TrayDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  windows: Pick<Windows, 'toggleMain' | 'hideOnClose'>;
  /** The folder of the tray PNGs (build/tray). */
  iconDir: string;
  platform: NodeJS.Platform;
  /** Really quit (app.quit). */
  quit: () => void;
  shortcuts?: ShortcutHintSource;
  hideNotice?: HideNoticeMemory;
}

export interface TrayModule {
  /** What the tray shows now. */
  view(): TrayView;
  dispose(): void;
}

function inMemoryNotice(): HideNoticeMemory {
  let shown = false;
  return {
    wasShown: () => shown,
    markShown: () => {
      shown = true;
    },
  };
}

export function installTray(deps: TrayDeps): TrayModule {
  const images = new Map<string, NativeImage>();
  const hideNotice = deps.hideNotice ?? inMemoryNotice();

  function image(file: string): NativeImage {
    let cached = images.get(file);
    if (cached === undefined) {
      cached = nativeImage.createFromPath(join(deps.iconDir, file));
      if (cached.isEmpty()) log.warn(`tray icon ${file} is missing from ${deps.iconDir}`);
      if (deps.platform === 'darwin') cached.setTemplateImage(true);
      images.set(file, cached);
    }
    return cached;
  }

  function compute(): TrayView {
    return trayView({ state: deps.hub.state(), platform: deps.platform, shortcuts: deps.shortcuts?.hints() ?? {} });
  }

  let shown = compute();
  const tray = new Tray(image(shown.icon));

  function run(action: TrayAction, radio: boolean): void {
    switch (action.kind) {
      case 'command':
        deps.hub.command(action.command);
        break;
      case 'quit':
        deps.quit();
        break;
    }
    // A radio item checks itself when clicked: show the real state again until the renderer confirms.
    if (radio) setMenu(shown.menu);
  }

  function toTemplate(items: readonly TrayMenuItem[]): MenuItemConstructorOptions[] {
    return items.map((item): MenuItemConstructorOptions => {
      if (item.type === 'separator') return { type: 'separator' };
      const { action } = item;
      return {
        type: item.submenu === undefined ? item.type : 'submenu',
        label: item.label,
        enabled: item.enabled,
        ...(item.checked === undefined ? {} : { checked: item.checked }),
        ...(item.accelerator === undefined ? {} : { accelerator: item.accelerator, registerAccelerator: false }),
        ...(action === undefined ? {} : { click: () => run(action, item.type === 'radio') }),
        ...(item.submenu === undefined ? {} : { submenu: toTemplate(item.submenu) }),
      };
    });
  }

  function setMenu(menu: readonly TrayMenuItem[]): void {
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(menu)));
  }

  tray.setToolTip(shown.tooltip);
  setMenu(shown.menu);

  function update(): void {
    const next = compute();
    if (next.icon !== shown.icon) tray.setImage(image(next.icon));
    if (next.tooltip !== shown.tooltip) tray.setToolTip(next.tooltip);
    const menuChanged = !sameValue(next.menu, shown.menu);
    shown = next;
    if (menuChanged) setMenu(next.menu);
  }

  // macOS opens the menu on click; elsewhere a click shows or hides the window and the menu is on right-click.
  const onClick = (): void => {
    if (deps.platform !== 'darwin') deps.windows.toggleMain();
  };
  tray.on('click', onClick);

  const unsubscribe = deps.hub.subscribe(update);
  const unsubscribeShortcuts = deps.shortcuts?.onChange(update);
  const restoreClose = deps.windows.hideOnClose(() => {
    if (hideNotice.wasShown() || !Notification.isSupported()) return;
    hideNotice.markShown();
    const where = deps.platform === 'darwin' ? 'menu bar' : 'tray';
    new Notification({
      title: 'Parley is still running',
      body: `Parley keeps running in the ${where} so you can still be called. Quit it from the ${where} menu.`,
      silent: true,
    }).show();
  });

  return {
    view: () => shown,
    dispose() {
      unsubscribe();
      unsubscribeShortcuts?.();
      restoreClose();
      tray.off('click', onClick);
      tray.destroy();
    },
  };
}
