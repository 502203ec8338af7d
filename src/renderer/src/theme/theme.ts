/**
 * Light, dark, or as the system says. The choice is written on <html>:
 * `data-theme` (which tokens.css reads) and `color-scheme` (so native
 * controls, scrollbars and light-dark() follow at once, before any
 * stylesheet rule). Without either, tokens.css follows the system.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** The part of <html> applyTheme writes; an HTMLElement has it. */
export interface ThemeRoot {
  dataset: DOMStringMap;
  style: { colorScheme: string };
}

export function applyTheme(choice: ThemeChoice, root: ThemeRoot = document.documentElement): void {
  if (choice === 'system') {
    delete root.dataset.theme;
    root.style.colorScheme = '';
  } else {
    root.dataset.theme = choice;
    root.style.colorScheme = choice;
  }
}
