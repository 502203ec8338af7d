/** Message boxes and save dialogs: the answers a test lines up, and what each dialog was asked to show. */
import type { MessageBoxOptions, SaveDialogOptions } from 'electron';
import { vi } from 'vitest';

export const dialog = {
  /** The button index the user will press in each next message box; 0 when empty. */
  responses: [] as number[],
  showMessageBox: vi.fn((_windowOrOptions: unknown, _options?: MessageBoxOptions) =>
    Promise.resolve({ response: dialog.responses.shift() ?? 0, checkboxChecked: false }),
  ),
  /** What the user picks in each next save dialog: a path, or null to cancel; cancels when empty. */
  savePaths: [] as (string | null)[],
  showSaveDialog: vi.fn((_windowOrOptions: unknown, _options?: SaveDialogOptions) => {
    const filePath = dialog.savePaths.shift() ?? null;
    return Promise.resolve(filePath === null ? { canceled: true, filePath: '' } : { canceled: false, filePath });
  }),
  /** The parent window (null without one) and options of every save dialog shown, in order. */
  saveDialogs(): { parent: unknown; options: SaveDialogOptions }[] {
    return this.showSaveDialog.mock.calls.map(([first, second]) =>
      second === undefined ? { parent: null, options: first as SaveDialogOptions } : { parent: first, options: second },
    );
  },
  /** The options of every message box shown, in order. */
  shown(): MessageBoxOptions[] {
    return this.showMessageBox.mock.calls.map(([first, second]) => second ?? (first as MessageBoxOptions));
  },
};

export function resetDialog(): void {
  dialog.responses.length = 0;
  dialog.showMessageBox.mockClear();
  dialog.savePaths.length = 0;
  dialog.showSaveDialog.mockClear();
}
