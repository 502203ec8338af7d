/**
 * One Parley per user session. The first instance holds the lock; a second
 * launch (a double-click, a parley: link on Windows and Linux) hands its
 * command line to the first and quits. The first shows its window and opens
 * any link that came with it.
 */
import { app } from 'electron';
import type { DeepLinks } from './deep-links.js';
import type { Windows } from './windows.js';

/** True for the first instance; false means another one runs and this one should quit. */
export function claimSingleInstance(): boolean {
  return app.requestSingleInstanceLock();
}

export interface SecondInstanceDeps {
  windows: Pick<Windows, 'showMain'>;
  deepLinks: Pick<DeepLinks, 'openFromArgv'>;
}

export function installSecondInstance(deps: SecondInstanceDeps): () => void {
  const onSecondInstance = (_event: unknown, argv: string[]): void => {
    deps.windows.showMain();
    deps.deepLinks.openFromArgv(argv);
  };
  app.on('second-instance', onSecondInstance);
  return () => app.off('second-instance', onSecondInstance);
}
