/** The Electron event every other fake hands its listeners; its own file so none of them has to import another for it. */

/** An Electron event: `preventDefault()` is recorded. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}
