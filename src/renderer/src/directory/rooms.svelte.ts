/** Named rooms joined lately on this device, newest first (see recent-rooms.ts). */
import { loadRecentRooms, rememberRoom, saveRecentRooms, type RecentRoom } from './recent-rooms.js';

export class RecentRooms {
  list = $state<RecentRoom[]>([]);

  load(): void {
    this.list = loadRecentRooms();
  }

  remember(room: RecentRoom): void {
    this.list = rememberRoom(this.list, room);
    saveRecentRooms(this.list);
  }

  /** The join code a room was last joined with. */
  codeOf(name: string): string | undefined {
    return this.list.find((r) => r.name === name)?.code;
  }
}
