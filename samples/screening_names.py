"""Labelled near-match set for screening: true variants of listed names and hard look-alikes.

Each case is a name as an applicant might write it, with the list entry it denotes (a true
variant) or ``None`` (a false near-match that shares words or letters with an entry but
names someone else). Variants imitate real writing: Cyrillic and Arabic script renderings,
other Latin transliterations, word order, dropped middle names, legal-form changes,
abbreviations, typos and aliases. Cases are split by entry, so no listed party appears
in both the development split (threshold choice) and the test split (reported figures).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from exportdesk.risk.names import LEGAL_FORMS, name_tokens
from exportdesk.risk.screening import token_similarity
from exportdesk.risk.sdn import ListEntry

# Latin -> Cyrillic as Russian names are commonly romanised (longest first); the product
# reads the Cyrillic back with unidecode, a different table, as a real intake would.
_TO_CYRILLIC = [
    ("shch", "щ"),
    ("yev", "ев"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "е"),
    ("yo", "ё"),
    ("ay", "ай"),
    ("ey", "ей"),
    ("oy", "ой"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "ы"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("c", "к"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
    ("j", "дж"),
    ("h", "х"),
]
# Latin -> Arabic script: consonants written, short vowels left out, long ones as letters.
_TO_ARABIC = [
    ("sh", "ش"),
    ("kh", "خ"),
    ("th", "ث"),
    ("dh", "ذ"),
    ("gh", "غ"),
    ("aa", "ا"),
    ("ee", "ي"),
    ("ii", "ي"),
    ("oo", "و"),
    ("ou", "و"),
    ("uu", "و"),
    ("b", "ب"),
    ("t", "ت"),
    ("j", "ج"),
    ("h", "ح"),
    ("d", "د"),
    ("r", "ر"),
    ("z", "ز"),
    ("s", "س"),
    ("f", "ف"),
    ("q", "ق"),
    ("k", "ك"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("w", "و"),
    ("y", "ي"),
    ("g", "ج"),
    ("v", "و"),
    ("p", "ب"),
    ("c", "ك"),
    ("x", "كس"),
    ("a", ""),
    ("e", ""),
    ("i", ""),
    ("o", ""),
    ("u", ""),
]
# Other Latin renderings of the same Arabic or Persian sounds.
_RENDERINGS = [
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("i", "ee"),
    ("ei", "ey"),
    ("ey", "ei"),
    ("q", "gh"),
    ("gh", "q"),
    ("j", "dj"),
    ("sh", "ch"),
    ("mm", "m"),
    ("ss", "s"),
    ("a", "e"),
    ("e", "a"),
    ("o", "u"),
    ("u", "o"),
    ("y", "i"),
    ("ai", "ay"),
    ("k", "c"),
]
_ABBREVIATIONS = {
    "international": "Intl",
    "company": "Co",
    "corporation": "Corp",
    "industries": "Ind",
    "industrial": "Ind",
    "trading": "Trdg",
    "limited": "Ltd",
    "technology": "Tech",
    "engineering": "Eng",
    "group": "Grp",
    "manufacturing": "Mfg",
    "aviation": "Avn",
}
_LEGAL = [
    "LLC",
    "OOO",
    "GmbH",
    "Ltd.",
    "JSC",
    "S.A.",
    "Limited Liability Company",
    "Co., Ltd.",
    "FZE",
    "AO",
    "PJSC",
    "Inc.",
]
_ARABIC_WORLD = {
    "IR",
    "SY",
    "IQ",
    "LB",
    "YE",
    "AF",
    "PK",
    "SA",
    "AE",
    "JO",
    "EG",
    "LY",
    "SD",
    "PS",
    "KW",
    "QA",
    "BH",
    "OM",
    "DZ",
    "TN",
    "MA",
    "SO",
}
_CYRILLIC_WORLD = {"RU", "BY", "UA", "KZ", "KG", "TJ", "UZ", "AM", "GE", "AZ", "MD"}


@dataclass(frozen=True)
class Case:
    name: str
    country: str | None
    entry_uid: str | None  # the entry it denotes, or None for a false near-match
    kind: str  # how it was made
    split: str  # "dev" or "test"


def _split(uid: str) -> str:
    return "dev" if int(hashlib.sha256(uid.encode()).hexdigest(), 16) % 2 == 0 else "test"


def _words(name: str) -> list[str]:
    """A listed name as words in reading order ("IVANOV, Sergei" -> Sergei IVANOV)."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.split() + last.split()
    return name.split()


_FORMS_RE = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)


def _strip_legal(words: list[str]) -> list[str]:
    """The name without its legal form (multi-word forms included), original spelling kept."""
    low = " ".join(re.sub(r"[^a-z0-9]", "", w.lower()) or w.lower() for w in words)
    cut = _FORMS_RE.sub(lambda m: " " * len(m.group(0)), low)
    kept, pos = [], 0
    for w in words:
        span = cut[pos : pos + len(re.sub(r"[^a-z0-9]", "", w.lower()) or w)]
        if span.strip():
            kept.append(w)
        pos += len(span) + 1
    return kept or words


def _apply(table: list[tuple[str, str]], word: str) -> str:
    out, i, low = [], 0, word.lower()
    while i < len(low):
        for src, dst in table:
            if low.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            out.append(low[i])
            i += 1
    return "".join(out)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["swap", "drop", "double", "replace"])
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeinorst") + word[i + 1 :]


def _rerender(word: str, rng: random.Random) -> str:
    options = [(s, d) for s, d in _RENDERINGS if s in word.lower()]
    if not options:
        return word
    src, dst = rng.choice(options)
    start = [m.start() for m in re.finditer(src, word.lower())]
    at = rng.choice(start)
    out = word.lower()[:at] + dst + word.lower()[at + len(src) :]
    return out.capitalize()


def true_variant(entry: ListEntry, rng: random.Random) -> tuple[str, str]:
    """One way of writing a listed party's name, and what kind of change it was."""
    base = (
        rng.choice([entry.name, *entry.aliases])
        if entry.aliases and rng.random() < 0.3
        else entry.name
    )
    words = _words(base)
    person = entry.kind == "individual"
    kinds = ["case_punct", "typo", "order"]
    if person:
        kinds += ["drop_middle", "initial"]
    else:
        kinds += ["legal_form", "abbreviation"]
    if set(entry.countries) & _CYRILLIC_WORLD:
        kinds += ["cyrillic", "cyrillic"]
    if set(entry.countries) & _ARABIC_WORLD:
        kinds += ["arabic_script", "rendering", "rendering"]
    kind = rng.choice(kinds)
    if kind == "case_punct":
        text = " ".join(w.strip(",.") for w in words)
        return (text.title() if rng.random() < 0.5 else text.lower()), kind
    if kind == "typo":
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        words[longest] = _typo(words[longest], rng)
        return " ".join(words), kind
    if kind == "order":
        if person:
            return " ".join(reversed(words)), kind
        core = _strip_legal(words)
        return " ".join(rng.sample(core, len(core))), kind
    if kind == "drop_middle":
        return (" ".join([words[0], words[-1]]) if len(words) > 2 else " ".join(words)), kind
    if kind == "initial":
        return (f"{words[0][0]}. {' '.join(words[1:])}" if len(words) > 1 else words[0]), kind
    if kind == "legal_form":
        core = _strip_legal(words)
        form = rng.choice(_LEGAL)
        return (
            f"{form} {' '.join(core)}" if form in ("OOO", "AO") else f"{' '.join(core)} {form}"
        ), kind
    if kind == "abbreviation":
        swapped = [_ABBREVIATIONS.get(w.lower(), w) for w in words]
        if swapped == words:
            swapped = [w.strip(",.").title() for w in words]
        return " ".join(swapped), kind
    if kind == "cyrillic":
        core = _strip_legal(words)
        return " ".join(
            re.sub(r"[a-z]+", lambda m: _apply(_TO_CYRILLIC, m.group(0)), w.lower()).capitalize()
            for w in core
        ), kind
    if kind == "arabic_script":
        return " ".join(_apply(_TO_ARABIC, w.strip(",.")) for w in words), kind
    words = [_rerender(w, rng) if len(w) > 3 else w for w in words]
    return " ".join(words), kind


def _listed_token_sets(entries: list[ListEntry]) -> set[tuple[str, ...]]:
    found = set()
    for e in entries:
        for text in (e.name, *e.aliases):
            found.add(tuple(sorted(name_tokens(text))))
    return found


def false_near_match(
    entry: ListEntry, rng: random.Random, vocab: dict[str, list[str]], listed: set[tuple[str, ...]]
) -> tuple[str, str] | None:
    """A name that shares most of a listed name's words or letters but is someone else."""
    words = _strip_legal(_words(entry.name))
    person = entry.kind == "individual"
    kind = rng.choice(
        ["swap_word", "swap_word", "near_word"] + (["other_person"] if person else ["generic"])
    )
    if kind in ("swap_word", "other_person", "near_word"):
        target = (
            0 if kind == "other_person" else max(range(len(words)), key=lambda i: len(words[i]))
        )
        word = words[target].strip(",.")
        pool = vocab.get(word[:1].lower(), [])
        if kind == "near_word":
            # same first letter and length within one: as close as another real word gets
            pool = [w for w in pool if abs(len(w) - len(word)) <= 1 and w[:2] == word[:2].lower()]
        # a replacement that is itself another spelling of the word would be a true variant
        pool = [w for w in pool if token_similarity(w, word.lower()) < 0.7]
        if not pool:
            return None
        words = list(words)
        words[target] = rng.choice(pool).capitalize()
        text = " ".join(w.strip(",") for w in words)
    else:
        distinct = max(words, key=len).strip(",.")
        made_up = distinct[:3].capitalize() + rng.choice(["ova", "ex", "tron", "lin"])
        text = f"{made_up} {' '.join(words[1:] or ['Trading'])}"
    if tuple(sorted(name_tokens(text))) in listed:
        return None
    return text, kind


def build_cases(entries: list[ListEntry], per_split: int = 600, seed: int = 7) -> list[Case]:
    """About `per_split` true variants and as many false near-matches in each split."""
    rng = random.Random(seed)
    usable = [
        e
        for e in entries
        if e.kind in ("individual", "entity")
        and len(name_tokens(e.name)) >= 1
        and len("".join(name_tokens(e.name))) >= 6
    ]
    vocab: dict[str, set[str]] = {}
    for e in usable:
        for tok in name_tokens(e.name):
            if tok.isalpha() and len(tok) >= 4:
                vocab.setdefault(tok[0], set()).add(tok)
    sorted_vocab = {k: sorted(v) for k, v in vocab.items()}
    listed = _listed_token_sets(entries)
    rng.shuffle(usable)
    cases: list[Case] = []
    counts = {("dev", True): 0, ("dev", False): 0, ("test", True): 0, ("test", False): 0}
    for entry in usable:
        split = _split(entry.uid)
        country = entry.countries[0] if entry.countries and rng.random() < 0.6 else None
        if counts[(split, True)] < per_split:
            name, kind = true_variant(entry, rng)
            if name.strip():
                cases.append(Case(name, country, entry.uid, kind, split))
                counts[(split, True)] += 1
        if counts[(split, False)] < per_split:
            made = false_near_match(entry, rng, sorted_vocab, listed)
            if made:
                cases.append(Case(made[0], country, None, made[1], split))
                counts[(split, False)] += 1
        if all(v >= per_split for v in counts.values()):
            break
    return cases
