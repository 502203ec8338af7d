/** Audio devices and cameras as they come and go (plugged in or out while the app runs). */
export interface DeviceOption {
  deviceId: string;
  label: string;
}

/** Undefined outside a secure context (plain http from another host). */
const media = (): MediaDevices | undefined => navigator.mediaDevices;

const UNNAMED: Record<MediaDeviceKind, string> = { audioinput: 'Microphone', audiooutput: 'Speaker', videoinput: 'Camera' };

export class Devices {
  inputs = $state<DeviceOption[]>([]);
  outputs = $state<DeviceOption[]>([]);
  cameras = $state<DeviceOption[]>([]);
  readonly #onChange = () => void this.refresh();

  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
    media()?.addEventListener('devicechange', this.#onChange);
  }

  async refresh(): Promise<void> {
    const all = (await media()?.enumerateDevices()) ?? [];
    const pick = (kind: MediaDeviceKind) =>
      all
        .filter((d) => d.kind === kind && d.deviceId !== 'default' && d.deviceId !== '')
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${UNNAMED[kind]} ${i + 1}` }));
    this.inputs = pick('audioinput');
    this.outputs = pick('audiooutput');
    this.cameras = pick('videoinput');
    this.#changed();
  }

  dispose(): void {
    media()?.removeEventListener('devicechange', this.#onChange);
  }
}
