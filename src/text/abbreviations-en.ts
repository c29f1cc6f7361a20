/**
 * English abbreviations as they are said. `end`: it may end a sentence ("… and so on, etc.
 * Then"), so its full stop is kept when a new sentence follows; the others never end one.
 */
export const ABBREVIATIONS: {
  written: string;
  said: string;
  end?: true;
  before?: 'name' | 'digit';
}[] = [
  { written: 'Mr.', said: 'Mister' },
  { written: 'Mrs.', said: 'Missus' },
  { written: 'Ms.', said: 'Miz' },
  { written: 'Dr.', said: 'Doctor' },
  { written: 'Messrs.', said: 'Messieurs' },
  // Headings set in capitals ("SEARCH FOR MR. HYDE") spell them so.
  { written: 'MR.', said: 'Mister' },
  { written: 'MRS.', said: 'Missus' },
  { written: 'DR.', said: 'Doctor' },
  { written: 'MESSRS.', said: 'Messieurs' },
  { written: 'ST.', said: 'Saint', before: 'name' },
  { written: 'Prof.', said: 'Professor' },
  { written: 'Capt.', said: 'Captain' },
  { written: 'Col.', said: 'Colonel' },
  { written: 'Gen.', said: 'General', before: 'name' },
  { written: 'Lt.', said: 'Lieutenant' },
  { written: 'Sgt.', said: 'Sergeant' },
  { written: 'Rev.', said: 'Reverend', before: 'name' },
  { written: 'Gov.', said: 'Governor', before: 'name' },
  { written: 'Mt.', said: 'Mount', before: 'name' },
  { written: 'Ft.', said: 'Fort', before: 'name' },
  { written: 'Jr.', said: 'Junior', end: true },
  { written: 'Sr.', said: 'Senior', end: true },
  { written: 'Inc.', said: 'Incorporated', end: true },
  { written: 'Ltd.', said: 'Limited', end: true },
  { written: 'Bros.', said: 'Brothers', end: true },
  { written: 'Ave.', said: 'Avenue', end: true },
  { written: 'etc.', said: 'et cetera', end: true },
  { written: 'e.g.', said: 'for example' },
  { written: 'i.e.', said: 'that is' },
  { written: 'viz.', said: 'namely' },
  { written: 'cf.', said: 'compare' },
  { written: 'vs.', said: 'versus' },
  { written: 'v.', said: 'versus', before: 'name' },
  { written: 'approx.', said: 'approximately' },
  { written: 'No.', said: 'number', before: 'digit' },
  { written: 'no.', said: 'number', before: 'digit' },
  { written: 'Nos.', said: 'numbers', before: 'digit' },
  { written: 'pp.', said: 'pages', before: 'digit' },
  { written: 'p.', said: 'page', before: 'digit' },
  { written: 'vol.', said: 'volume', before: 'digit' },
  { written: 'Vol.', said: 'Volume' },
  { written: 'ch.', said: 'chapter', before: 'digit' },
  { written: 'fig.', said: 'figure', before: 'digit' },
  { written: 'Fig.', said: 'Figure', before: 'digit' },
  { written: 'A.D.', said: 'A D', end: true },
  { written: 'B.C.', said: 'B C', end: true },
  { written: 'a.m.', said: 'a m', end: true },
  { written: 'p.m.', said: 'p m', end: true },
];

/** Titles British usage writes without a full stop ("Mr Utterson"): said in full before a name. */
export const BARE_TITLES: Record<string, string> = {
  Mr: 'Mister',
  Mrs: 'Missus',
  Dr: 'Doctor',
  Messrs: 'Messieurs',
};

/** Words after which a Roman numeral is a number ("Chapter XIV", "World War II"). */
export const NUMBERED_WORDS =
  'chapter|book|part|volume|vol\\.|act|scene|section|canto|letter|appendix|stave|psalm|article|lecture|lesson|war|phase|plate|table|figure|epistle|sonnet|ode';

/** Names that take a regnal number, even "I" ("Henry I", where "Then I" must stay a pronoun). */
export const REGNAL_NAMES = new Set(
  (
    'Henry Edward George William Charles Louis Richard James Elizabeth Mary John Anne Victoria ' +
    'Pius Leo Gregory Innocent Benedict Clement Paul Peter Frederick Philip Ferdinand Alexander ' +
    'Nicholas Ivan Catherine Napoleon Victor Emmanuel Alfonso Gustav Gustavus Christian Otto ' +
    'Rudolf Wilhelm Francis Joseph Leopold Ramesses Rameses Darius Cyrus Ptolemy Antiochus David ' +
    'Robert Constantine Justinian Basil Urban Boniface Sixtus Felix Adrian'
  ).split(' '),
);

export const MONTHS =
  'January|February|March|April|May|June|July|August|September|October|November|December';

/** Written forms after which a full stop never ends a sentence ("Mr. Hyde", "No. 5"). */
export const NEVER_END_A_SENTENCE = ABBREVIATIONS.filter((a) => !a.end).map((a) => a.written);
