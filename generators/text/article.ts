// "a" or "an" before a word as it is read aloud: "an EKS node", "an IPv6 CIDR", "a GKE node",
// "an L2 pool", "a ConfigMap", "an Application", "a user". Used wherever a message puts an article
// before a value it does not know in advance.

// Letters whose spoken name begins with a vowel sound (A, E, F "ef", H "aitch", I, L "el", M "em",
// N "en", O, R "ar", S "es", X "ex").
const VOWEL_LETTERS = new Set('AEFHILMNORSX');
// Vowel-initial words read with a consonant sound (you-, one-) and h-words read with a vowel.
const CONSONANT_VOWELS = /^(?:uni(?!n)|use|usa|uti|uri|ura|eu|one\b|once)/i;
const SPOKEN_ACRONYMS = /^(?:RAM|NAT|LAN|WAN|SAN|NAS|RAID|MAC|NIC|LUN|SIM|FIFO|LIFO|YAML|JSON|REST)(?![A-Za-z])/;
const SILENT_H = /^(?:hour|honest|honou?r|heir)/i;

export function article(word: string): 'a' | 'an' {
  const w = word.replace(/^[^A-Za-z0-9]+/, '');
  if (!w) return 'a';
  // Acronyms read as words: "a RAM user", "a NAT gateway", "a LAN".
  if (SPOKEN_ACRONYMS.test(w)) return /^[AEIOU]/.test(w) ? 'an' : 'a';
  // An acronym (two or more capitals or digits first, e.g. EKS, IPv6, L2, CCM) is read by letters.
  if (/^[A-Z][A-Z0-9]/.test(w)) return VOWEL_LETTERS.has(w[0]) ? 'an' : 'a';
  if (/^8|^1[18](?:\D|$)/.test(w)) return 'an'; // eight, eleven, eighteen
  if (/^[0-9]/.test(w)) return 'a';
  if (SILENT_H.test(w)) return 'an';
  if (CONSONANT_VOWELS.test(w)) return 'a';
  return /^[aeiou]/i.test(w) ? 'an' : 'a';
}

/** The word with its article: withArticle("EKS") === "an EKS". */
export function withArticle(word: string): string {
  return `${article(word)} ${word}`;
}
