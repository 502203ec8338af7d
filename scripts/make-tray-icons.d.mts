/** Types of scripts/make-tray-icons.mjs, for the tests that check the committed PNGs. */
export type Paint = readonly [number, number, number, number] | 'clear';
export type Shape = (x: number, y: number) => number;
export type Layers = readonly (readonly [Shape, Paint])[];

export const STATES: readonly string[];
export const SCALES: readonly { suffix: string; size: number }[];
export const APP_ICON_SIZE: number;
export function encodePng(width: number, height: number, rgba: Buffer): Buffer;
export function render(layers: Layers, size: number, box?: number): Buffer;
/** [path relative to build/, size in px, layers] for every file the script writes. */
export function iconFiles(): [string, number, Layers][];
export function makeIcons(outDir: string): string[];
