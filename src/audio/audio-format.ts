/**
 * The audiobook formats a book may be made in: the one vocabulary that the
 * database, the object keys, the API and the encoders share.
 */
export const AUDIO_FORMATS = ['m4b', 'mp3'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];
