import { eq } from 'drizzle-orm';
import type { Principal } from '../access/principal.js';
import type { Db } from '../db/database.js';
import { ownerLexicons } from '../db/schema.js';
import { type Lexicon, parseLexicon } from '../text/lexicon.js';

/** Owners' pronunciation lexicons (the `owner_lexicons` table). */
export function createLexiconQueries(db: Db) {
  async function ownerLexicon(owner: string): Promise<Lexicon> {
    const [row] = await db
      .select({ entries: ownerLexicons.entries })
      .from(ownerLexicons)
      .where(eq(ownerLexicons.owner, owner));
    return row?.entries ?? {};
  }

  /** Replaces the owner's lexicon (books already uploaded keep theirs). */
  async function setOwnerLexicon(owner: string, entries: Lexicon): Promise<void> {
    await db
      .insert(ownerLexicons)
      .values({ owner, entries })
      .onConflictDoUpdate({
        target: ownerLexicons.owner,
        set: { entries, updatedAt: new Date() },
      });
  }

  return { ownerLexicon, setOwnerLexicon };
}

/** The caller's own lexicon, applied to every book they upload from now on. */
export function createLexiconService(
  books: Pick<ReturnType<typeof createLexiconQueries>, 'ownerLexicon' | 'setOwnerLexicon'>,
) {
  return {
    get: (principal: Principal) => books.ownerLexicon(principal.owner),
    async set(principal: Principal, entries: Lexicon): Promise<Lexicon> {
      // The rules a lexicon sent with an upload follows (text/lexicon.ts).
      const checked = parseLexicon(JSON.stringify(entries));
      await books.setOwnerLexicon(principal.owner, checked);
      return checked;
    },
  };
}
