import { EpubError, openEpubZip } from './epub-zip.js';

const EPUB_MIMETYPE = 'application/epub+zip';

/**
 * The cheap upload-time check: a ZIP that carries EPUB's `mimetype` entry.
 * Only the central directory and one tiny entry are read; the full parse
 * happens in the worker.
 */
export async function assertLooksLikeEpub(filePath: string, size: number): Promise<void> {
  if (size === 0) throw new EpubError('the file is empty; expected an EPUB');
  const zip = await openEpubZip(filePath);
  try {
    if (!zip.has('mimetype')) {
      throw new EpubError('not an EPUB: the ZIP archive has no "mimetype" entry');
    }
    const mimetype = (await zip.read('mimetype')).toString('utf8').trim();
    if (mimetype !== EPUB_MIMETYPE) {
      throw new EpubError(
        `not an EPUB: mimetype is "${mimetype.slice(0, 60)}", expected ${EPUB_MIMETYPE}`,
      );
    }
  } finally {
    zip.close();
  }
}
