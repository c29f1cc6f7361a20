import { primaryLanguage } from '../text/speech-text.js';
import type { Voice } from './tts-engine.js';

/** What a voice says when someone wants to hear it (GET /voices/:id/sample), by its language. */
const SAMPLES: Record<string, string> = {
  en: 'Hello. This is how I will read your books: chapter by chapter, at the pace you choose.',
  es: 'Hola. Así leeré tus libros: capítulo a capítulo, al ritmo que elijas.',
  fr: 'Bonjour. Voici comment je lirai vos livres : chapitre par chapitre, au rythme que vous choisirez.',
  de: 'Hallo. So lese ich Ihre Bücher vor: Kapitel für Kapitel, in dem Tempo, das Sie wählen.',
  it: 'Ciao. Ecco come leggerò i tuoi libri: capitolo per capitolo, al ritmo che scegli.',
  pt: 'Olá. É assim que vou ler os seus livros: capítulo a capítulo, ao ritmo que escolher.',
  nl: 'Hallo. Zo lees ik uw boeken voor: hoofdstuk na hoofdstuk, in het tempo dat u kiest.',
};

/** The voice's sample sentence and its language; English for voices of any or another language. */
export function sampleFor(voice: Voice): { text: string; language: string } {
  const language = voice.language ? primaryLanguage(voice.language) : 'en';
  const text = SAMPLES[language];
  return text ? { text, language } : { text: SAMPLES.en as string, language: 'en' };
}
