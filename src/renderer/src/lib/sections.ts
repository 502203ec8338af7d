/** The window's sections (sidebar tabs, and the bottom tabs of the narrow layout). */
export type Section = 'contacts' | 'history' | 'voicemail' | 'settings';
