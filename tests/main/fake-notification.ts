/** Desktop notifications: every one the app made, and the user clicking it or one of its buttons. */
import { EventEmitter } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { FakeEvent } from './fake-event.js';

export class FakeNotification extends EventEmitter {
  static readonly instances: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions = {}) {
    super();
    FakeNotification.instances.push(this);
  }
  get title(): string {
    return this.options.title ?? '';
  }
  get body(): string {
    return this.options.body ?? '';
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
  /** The user clicks the notification. */
  click(): void {
    this.emit('click', new FakeEvent());
  }
  /** The user presses one of its action buttons, by label. */
  act(text: string): void {
    const actionIndex = (this.options.actions ?? []).findIndex((action) => action.text === text);
    if (actionIndex < 0) throw new Error(`no action ${text} on notification "${this.title}"`);
    this.emit('action', Object.assign(new FakeEvent(), { actionIndex, selectionIndex: -1 }), actionIndex, -1);
  }
}
export const Notification = FakeNotification;

/** The `fake` helpers for notifications. */
export const notificationHelpers = {
  notifications(): FakeNotification[] {
    return FakeNotification.instances;
  },
};

export function resetNotifications(): void {
  FakeNotification.instances.length = 0;
  FakeNotification.supported = true;
}
