"""How a party name is normalised before screening: script, case, punctuation, legal forms."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz
from unidecode import unidecode

# Legal-form words carry no identity: "ROSOBORONEXPORT OAO" and "Rosoboronexport JSC" are
# one company. Multi-word forms are matched first; all are compared after normalisation.
LEGAL_FORMS = (
    "limited liability company",
    "joint stock company",
    "closed joint stock company",
    "open joint stock company",
    "public joint stock company",
    "private joint stock company",
    "private limited company",
    "public limited company",
    "limited partnership",
    "sociedad anonima",
    "societe anonyme",
    "gesellschaft mit beschrankter haftung",
    "aktiengesellschaft",
    "company limited",
    "co ltd",
    "pvt ltd",
    "sdn bhd",
    "gmbh co kg",
    "llc",
    "llp",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sarl",
    "sas",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "kft",
    "zao",
    "ooo",
    "oao",
    "pao",
    "ao",
    "tov",
    "pjsc",
    "ojsc",
    "cjsc",
    "jsc",
    "fze",
    "fzco",
    "fzc",
    "fz llc",
    "pte",
    "pty",
    "sae",
    "ltda",
    "cv",
    "sp z o o",
    "spzoo",
    "doo",
    "dooel",
    "ood",
    "ead",
    "as",
    "sl",
    # Russian forms written out in Latin letters (as OFAC and unidecode spell them)
    "obshchestvo s ogranichennoi otvetstvennostiu",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "publichnoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo",
    "aktsionernoe obshchestvo",
)
# Words of multi-word legal forms: dropped also when misspelt ("Liablity").
_FORM_WORDS = (
    "limited",
    "liability",
    "company",
    "joint",
    "stock",
    "obshchestvo",
    "aktsionernoe",
    "ogranichennoi",
    "otvetstvennostyu",
    "otvetstvennostiu",
    "zakrytoe",
    "otkrytoe",
    "publichnoe",
)
_LEGAL_RE = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(re.escape(f) for f in sorted(set(LEGAL_FORMS), key=len, reverse=True))
    + r")(?![a-z0-9])"
)
# Articles and particles that transliteration writes in many ways or leaves out.
PARTICLES = frozenset(
    {
        "l",
        "al",
        "el",
        "ul",
        "ol",
        "bin",
        "ibn",
        "bint",
        "abu",
        "of",
        "the",
        "and",
        "de",
        "del",
        "la",
        "le",
        "van",
        "von",
        "der",
        "da",
        "di",
        "y",
    }
)
_VOWELS = str.maketrans("", "", "aeiouyw")


def ascii_fold(text: str) -> str:
    """Latin letters for any script (unidecode), lower case, punctuation as spaces."""
    text = unidecode(text).lower()
    text = text.replace("&", " and ").replace("'", "").replace("`", "")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def strip_legal_forms(folded: str) -> str:
    # "O.O.O." folds to "o o o": rejoin single letters before looking for forms.
    folded = re.sub(r"\b(?:[a-z] ){1,4}[a-z]\b", lambda m: m.group(0).replace(" ", ""), folded)
    stripped = _LEGAL_RE.sub(" ", folded)
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped or folded


# Arabic script has no p, v or g, and writes e/o as nothing or as a long vowel: a name read
# back from it ("dmwnd", "brs") is compared with listed Latin names folded the same way.
_ARABIC_FOLD = str.maketrans({"p": "b", "v": "w", "g": "j"})
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")


def arabic_script(text: str) -> bool:
    return bool(_ARABIC_LETTERS.search(text))


@lru_cache(maxsize=65536)
def coarse_skeleton(token: str) -> str:
    """The skeleton after folding the sounds Arabic script cannot write apart."""
    return skeleton(token.replace("ng", "nj").translate(_ARABIC_FOLD))


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """Consonant skeleton: vowels dropped, repeats collapsed ("Mohammed" and "Muhamad" agree).

    Transliterations of Cyrillic, Arabic and Persian names differ mostly in vowels, doubled
    letters and digraphs (kh/h, ou/u, j/dj), so the skeleton keeps the first letter and
    the consonants that all renderings share.
    """
    if not token:
        return token
    # "Yevgeniy"/"Evgenii", "Eir"/"Air", Arabic "ly"/"Ali": an opening vowel sound (which
    # Arabic script often does not write) is dropped like the others.
    t = token[1:] if len(token) > 2 and token[0] == "y" and token[1] in "aeiou" else token
    t = t.replace("kh", "h").replace("dj", "j").replace("dzh", "j").replace("zh", "j")
    # q and gh render one Arabic/Persian letter; c is k unless before e, i or y.
    t = t.replace("ph", "f").replace("ck", "k").replace("q", "k").replace("gh", "k")
    t = re.sub(r"c(?=[eiy])", "s", t).replace("c", "k")
    t = t.replace("ts", "c").replace("tz", "c").replace("sch", "sh").replace("x", "ks")
    head, rest = t[0], t[1:].translate(_VOWELS)
    if head in "aeiouy":
        head, rest = (rest[0], rest[1:]) if rest else ("a", "")
    out = head
    for ch in rest:
        if ch != out[-1]:
            out += ch
    return out


def acronym(tokens: tuple[str, ...]) -> str | None:
    """ "IRISL" for Islamic Republic of Iran Shipping Lines: four letters or more, else None."""
    if len(tokens) < 4 or any(t.isdigit() for t in tokens):
        return None
    return "".join(t[0] for t in tokens)


def name_tokens(name: str) -> tuple[str, ...]:
    """The identifying words of a name, in order: folded, without legal forms or particles."""
    folded = strip_legal_forms(ascii_fold(name))
    tokens = []
    for tok in folded.split():
        if len(tok) >= 5 and any(fuzz.ratio(tok, w) >= 85 for w in _FORM_WORDS):
            continue
        # Arabic script transliterates the article glued on ("alrashid"); keep the stem.
        if len(tok) > 5 and tok.startswith(("al", "el")) and tok[2] not in "aeiou":
            tok = tok[2:]
        if tok in PARTICLES:
            continue
        tokens.append(tok)
    return tuple(tokens) or tuple(folded.split())
