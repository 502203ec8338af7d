/** The tray icon with its context menu, and the native images it shows. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { MenuItemConstructorOptions } from 'electron';

/** What nativeImage.createFromPath returns: the path, and whether it was made a template image. */
export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return this.path === '' || !existsSync(this.path);
  }
  setTemplateImage(option: boolean): void {
    this.template = option;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
}

export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(''),
};

/** A menu item as the fake keeps it: the template's options, submenus built too. */
export type FakeMenuItem = Omit<MenuItemConstructorOptions, 'submenu'> & { submenu?: FakeMenu };

export class FakeMenu {
  readonly items: FakeMenuItem[];
  constructor(template: MenuItemConstructorOptions[]) {
    this.items = template.map((item) => {
      const { submenu, ...rest } = item;
      if (submenu === undefined) return rest;
      return { ...rest, submenu: submenu instanceof FakeMenu ? submenu : new FakeMenu(submenu as MenuItemConstructorOptions[]) };
    });
  }
  /** The item at a path of labels, e.g. ['Call', 'Bob — available']. */
  find(path: readonly string[]): FakeMenuItem | undefined {
    let items = this.items;
    let found: FakeMenuItem | undefined;
    for (const label of path) {
      found = items.find((item) => item.label === label);
      if (found === undefined) return undefined;
      items = found.submenu?.items ?? [];
    }
    return found;
  }
  /** Clicks the item at a path of labels, as the user would (disabled items cannot be clicked). */
  click(...path: string[]): void {
    const item = this.find(path);
    if (item === undefined) throw new Error(`no menu item ${path.join(' › ')}; the menu has: ${JSON.stringify(this.outline())}`);
    if (item.enabled === false) throw new Error(`menu item ${path.join(' › ')} is disabled`);
    if (item.click === undefined) throw new Error(`menu item ${path.join(' › ')} has no click handler`);
    item.click(item as never, undefined, {});
  }
  /** The labels, with '---' for separators, '(x)'/'( )' for radio and checkbox items, '!' for disabled, submenus nested. */
  outline(): unknown[] {
    return this.items.map((item) => {
      if (item.type === 'separator') return '---';
      const mark = item.type === 'radio' || item.type === 'checkbox' ? (item.checked === true ? '(x) ' : '( ) ') : '';
      const label = `${item.enabled === false ? '!' : ''}${mark}${item.label ?? ''}`;
      return item.submenu === undefined ? label : { [label]: item.submenu.outline() };
    });
  }
}

export const Menu = {
  buildFromTemplate: (template: MenuItemConstructorOptions[]) => new FakeMenu(template),
};

export class FakeTray extends EventEmitter {
  static readonly instances: FakeTray[] = [];
  image: FakeNativeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  private destroyed = false;
  constructor(image: FakeNativeImage) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The icon's file name, e.g. 'available.png'. */
  iconFile(): string {
    return this.image.path.split(/[\\/]/).at(-1) ?? '';
  }
}
export const Tray = FakeTray;

/** The `fake` helpers for the tray. */
export const trayHelpers = {
  /** The live tray icon, if any. */
  tray(): FakeTray | undefined {
    return FakeTray.instances.filter((tray) => !tray.isDestroyed()).at(-1);
  },
};

export function resetTray(): void {
  FakeTray.instances.length = 0;
}
