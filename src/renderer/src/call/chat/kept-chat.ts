/**
 * A call's chat as this window keeps it across a reload (call-memory.svelte.ts
 * stores it in sessionStorage): plain data, checked when read back. Text comes
 * back as it was. A message still waiting for its receipts comes back
 * unconfirmed: the receipts went to the connection the reload closed. A file
 * comes back as its row with what became of it, since its bytes do not
 * survive a reload: one under way was cut off, and one received can no
 * longer be saved.
 */
import { untrack } from 'svelte';
import { z } from 'zod/mini';
import { MAX_CHAT_TEXT } from './chat.js';
import { CHAT_HISTORY_LIMIT, type ChatEntry, type ChatLog, type DeliveryState } from './chat.svelte.js';
import { FINAL, type TransferState } from './file-states.js';
import { FileItem, type FileRow } from './file-transfers.svelte.js';

/** Every transfer state, so that the schema knows them all (the type checker says when one is added). */
const TRANSFER_STATES: Record<TransferState, true> = {
  preparing: true,
  queued: true,
  offered: true,
  asking: true,
  sending: true,
  receiving: true,
  checking: true,
  delivered: true,
  ready: true,
  damaged: true,
  'too-large': true,
  busy: true,
  'call-full': true,
  declined: true,
  expired: true,
  refused: true,
  cancelled: true,
  'peer-cancelled': true,
  unsupported: true,
  failed: true,
  interrupted: true,
};
const DELIVERY_STATES: Record<DeliveryState, true> = { sending: true, delivered: true, failed: true, unconfirmed: true };
const keys = <K extends string>(record: Record<K, true>) => Object.keys(record) as [K, ...K[]];

const count = z.int().check(z.nonnegative());
const name = z.string().check(z.maxLength(255));
const row = z.object({ key: count, peer: name, state: z.enum(keys(TRANSFER_STATES)), max: z.optional(count) });
const file = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name,
  size: count,
  mine: z.boolean(),
  rows: z.array(row).check(z.maxLength(64)),
  overLimit: z.nullable(count),
});
const entry = z.object({
  from: name,
  mine: z.boolean(),
  text: z.string().check(z.maxLength(MAX_CHAT_TEXT)),
  sentAt: count,
  delivery: z.optional(z.enum(keys(DELIVERY_STATES))),
  missing: z.optional(z.array(name).check(z.maxLength(64))),
  file: z.optional(file),
});

export const keptChatSchema = z.object({ entries: z.array(entry).check(z.maxLength(CHAT_HISTORY_LIMIT)), unread: count, open: z.boolean() });
export type KeptChat = z.infer<typeof keptChatSchema>;
type KeptEntry = KeptChat['entries'][number];
type KeptFile = NonNullable<KeptEntry['file']>;

/**
 * The chat as it is now, to keep. Run in an effect, it depends on the
 * entries, the unread count, the panel and each file's states, not on each
 * percent of a file under way (a reload cuts that off anyway).
 */
export function keepChat(chat: ChatLog): KeptChat {
  return { entries: chat.entries.map(keepEntry), unread: chat.unread, open: chat.open };
}

function keepEntry(e: ChatEntry): KeptEntry {
  const { from, mine, text, sentAt, delivery, missing, file } = e;
  return { from, mine, text, sentAt, ...(delivery && { delivery }), ...(missing && { missing }), ...(file && { file: keepFile(file) }) };
}

function keepFile(f: FileItem): KeptFile {
  // Tracked through `states` ('' for no rows): the rows themselves change with each percent, so they are read untracked.
  const rows = f.states === '' ? [] : untrack(() => f.rows.map(({ key, peer, state, max }) => ({ key, peer, state, ...(max !== undefined && { max }) })));
  return { id: f.id, name: f.name, size: f.size, mine: f.mine, rows, overLimit: f.overLimit };
}

/** What the chat shows again after the reload, in order. */
export function restoredEntries(kept: KeptChat): Omit<ChatEntry, 'id'>[] {
  return kept.entries.map(({ from, mine, text, sentAt, delivery, missing, file }) => ({
    from,
    mine,
    text,
    sentAt,
    ...(delivery && { delivery: delivery === 'sending' ? ('unconfirmed' as const) : delivery }),
    ...(missing && { missing }),
    ...(file && { file: restoredFile(file) }),
  }));
}

function restoredFile(f: KeptFile): FileItem {
  const rows = f.rows.map((r): FileRow => {
    const state = afterReload(r.state, f.mine);
    return { ...r, state, percent: state === 'delivered' || state === 'ready' ? 100 : 0 };
  });
  const item = new FileItem(f.id, f.name, f.size, f.mine, rows);
  item.overLimit = f.overLimit;
  return item;
}

/**
 * A file row's state across a reload: one under way was cut off, and one
 * received is no longer here to save (its bytes lived in this page); one
 * that had finished otherwise stays as it ended.
 */
export function afterReload(state: TransferState, mine: boolean): TransferState {
  if (!FINAL.has(state)) return 'interrupted';
  if (!mine && state === 'ready') return 'interrupted';
  return state;
}
