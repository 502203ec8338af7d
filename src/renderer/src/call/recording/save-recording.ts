/**
 * Where a finished recording goes: in the desktop app, to the folder the
 * user picks in the system's save dialog (main writes it); in a browser, a
 * download.
 */
import type { ParleyDesktopApi } from '../../../../shared/ipc.js';
import type { Notices } from '../../lib/notices.svelte.js';

/** How long a download's object URL outlives the click (the browser reads the file from it meanwhile). */
const DOWNLOAD_URL_MS = 60_000;

export function recordingSaver(desktop: ParleyDesktopApi['recording'] | undefined, notices: Notices): (file: Blob, name: string) => Promise<void> {
  if (desktop) {
    return async (file, name) => {
      const saved = await desktop.save(name, new Uint8Array(await file.arrayBuffer()));
      if (saved.path !== null) notices.show(`Recording saved to ${saved.path}`, 'other');
      else notices.show('The recording was not saved: no file was chosen.', 'other');
    };
  }
  return (file, name) => {
    const url = URL.createObjectURL(file);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_MS);
    notices.announce(`Recording downloaded as ${name}`);
    return Promise.resolve();
  };
}
