/** What the app reads of, or hands to, the desktop around it: the displays, the user's idle time, the default browser. */
import { EventEmitter } from 'node:events';
import type { Rectangle } from 'electron';
import { vi } from 'vitest';

const PRIMARY_WORK_AREA: Rectangle = { x: 0, y: 0, width: 1920, height: 1040 };

export const screen = {
  /** Each display's work area; the first is the primary one. */
  workAreas: [PRIMARY_WORK_AREA] as Rectangle[],
  display(workArea: Rectangle) {
    return { id: this.workAreas.indexOf(workArea), workArea, bounds: workArea, scaleFactor: 1 };
  },
  getPrimaryDisplay() {
    return this.display(this.workAreas[0]!);
  },
  getAllDisplays() {
    return this.workAreas.map((workArea) => this.display(workArea));
  },
};

class FakePowerMonitor extends EventEmitter {
  /** Seconds since the last keyboard or mouse input. */
  idleSeconds = 0;
  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
}
export const powerMonitor = new FakePowerMonitor();

export const shell = {
  openExternal: vi.fn((_url: string) => Promise.resolve()),
};

export function resetDesktop(): void {
  screen.workAreas = [PRIMARY_WORK_AREA];
  powerMonitor.removeAllListeners();
  powerMonitor.idleSeconds = 0;
  shell.openExternal.mockClear();
}
