/**
 * A crashed renderer reloads the main window, whose page then rejoins the
 * call it was in (renderer call/rejoin.ts); a page that crashes as it loads
 * is not reloaded forever.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake, type FakeBrowserWindow } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { createWindows, crashReloadBudget } = await import('../../src/main/windows.js');

describe('a crashed renderer', () => {
  let main: FakeBrowserWindow;
  beforeEach(() => {
    fake.reset();
    const windows = createWindows({ preloadPath: '/app/out/preload/index.cjs', startUrl: 'app://parley/' });
    main = windows.showMain() as unknown as FakeBrowserWindow;
  });

  it('is reloaded after a crash, an OOM or a kill, never after a clean exit', () => {
    for (const reason of ['crashed', 'oom', 'killed']) main.webContents.emit('render-process-gone', {}, { reason, exitCode: 1 });
    expect(main.webContents.reloads).toBe(3);
    main.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(main.webContents.reloads).toBe(3);
  });

  it('is reloaded at most three times a minute', () => {
    for (let i = 0; i < 5; i++) main.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(main.webContents.reloads).toBe(3);
  });

  it('gets its reloads back as the minute passes', () => {
    let now = 0;
    const budget = crashReloadBudget(3, 60_000, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now = 59_999;
    expect(budget.take()).toBe(false);
    now = 60_000;
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });
});
