/**
 * The palette of tokens.css as data, so its contrast can be checked by a
 * test (palette.test.ts), which also checks that the two files agree. Edit
 * both together. Keys are the custom properties' names without `--`.
 */

/** Colours that change with the theme: [light, dark]. */
export const THEMED = {
  // Surfaces, from the window's background up.
  bg: ['#f3f4f6', '#111318'],
  panel: ['#ffffff', '#181a20'],
  raised: ['#ffffff', '#20232b'],
  sunken: ['#eceef2', '#0c0d11'],
  hover: ['#eff1f4', '#20232a'],
  'hover-strong': ['#e3e6eb', '#2a2e37'],
  // Text.
  text: ['#16191f', '#e9ebef'],
  muted: ['#555c69', '#a3a9b4'],
  subtle: ['#656c79', '#8f96a2'],
  // Lines: dividers, and the edge of a field (3:1, so it reads as a control).
  line: ['#e1e4e9', '#2b2f38'],
  'line-strong': ['#848b97', '#6b7280'],
  // One primary colour.
  'primary-hover': ['#1d4ed8', '#3168ee'],
  'primary-pressed': ['#1e40af', '#1d4ed8'],
  'primary-soft': ['#e8effd', '#1a2540'],
  'primary-text': ['#1d4ed8', '#93b4fd'],
  // Round icon buttons' resting face (call controls, toolbars).
  control: ['#e9ebef', '#2a2e37'],
  'control-hover': ['#dde0e6', '#353a45'],
  // States.
  'success-soft': ['#e7f6ec', '#13291c'],
  'success-text': ['#166534', '#86efac'],
  'warning-soft': ['#fef5e4', '#2d2112'],
  'warning-line': ['#f3d39b', '#5c441c'],
  'warning-text': ['#854d0e', '#fcd38d'],
  'danger-soft': ['#fdecec', '#351a1c'],
  'danger-text': ['#b91c1c', '#fca5a5'],
  focus: ['#2563eb', '#7aa5fa'],
  favorite: ['#b26b00', '#f0b429'],
  // Presence.
  'presence-offline': ['#848b97', '#7d8491'],
  'presence-unknown': ['#a3a9b3', '#5d636f'],
  // A ring round someone speaking.
  speaking: ['#15a045', '#3ddc84'],
  // The scrim behind a dialog.
  overlay: ['rgb(15 17 22 / 45%)', 'rgb(0 0 0 / 60%)'],
} as const satisfies Record<string, readonly [string, string]>;

/** Colours that are the same in both themes. */
export const FIXED = {
  primary: '#2563eb',
  'on-primary': '#ffffff',
  success: '#15803d',
  'success-hover': '#166534',
  'on-success': '#ffffff',
  warning: '#b45309',
  'on-warning': '#ffffff',
  danger: '#dc2626',
  'danger-hover': '#b91c1c',
  'danger-pressed': '#991b1b',
  'on-danger': '#ffffff',
  'presence-available': '#15a045',
  'presence-away': '#cc6f05',
  'presence-busy': '#dc2626',
  'presence-dnd': '#dc2626',
  // The call stage: dark in both themes.
  'stage-bg': '#0b0c10',
  'stage-tile': '#1a1c22',
  'stage-raised': '#262932',
  'stage-hover': '#31353f',
  'stage-line': '#2e323c',
  'stage-text': '#f2f3f5',
  'stage-muted': '#a9afba',
  'stage-overlay': 'rgb(8 9 12 / 72%)',
} as const satisfies Record<string, string>;

export type ThemedToken = keyof typeof THEMED;
export type FixedToken = keyof typeof FIXED;
export type Theme = 'light' | 'dark';

/** A token's value in one theme. */
export function colour(token: ThemedToken | FixedToken, theme: Theme): string {
  if (token in THEMED) return THEMED[token as ThemedToken][theme === 'light' ? 0 : 1];
  return FIXED[token as FixedToken];
}
