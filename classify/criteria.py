"""Structured criteria of list entries (parameter, comparator, value, unit, all/any) and their test.

``parse_row`` turns one catalogue row's text into a tree of clauses, as the list writes
them ("having all of the following: 1. ...; and 2. ..."). Each clause carries the
comparisons stated in its own words ("output power exceeding 1 kW" -> output power > 1000 W),
CAS numbers, and qualifiers. ``build_catalogues.py`` stores the trees in
``catalogues/criteria.jsonl``; ``evaluate`` checks a description's stated parameters against
a tree with three-valued logic: met, failed, or undecided (with the parameters it needs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from exportdesk.classify.quantities import NIJ_DIM, Quantity, find_quantities

CRITERIA_FILE = Path(__file__).resolve().parent / "catalogues" / "criteria.jsonl"

# Comparator phrases as the lists write them. Order matters: longer phrases first.
_BEFORE = [
    (
        r"equal to or (?:less|lower|smaller) than|less than or equal to|not (?:more|greater) than|"
        r"equal to or better than|"
        r"not exceeding|not to exceed|no more than|up to(?: and including)?|maximum of|at most|"
        r"≤|=<|<=",
        "<=",
    ),
    (
        r"equal to or (?:more|greater|higher) than|(?:greater|more|higher) than or equal to|"
        r"equal to or exceeding|not less than|at least|minimum of|no less than|≥|>=|=>",
        ">=",
    ),
    (
        r"(?:less|better|lower) \((?:less|lower|better|smaller)\) than|(?:less|lower|smaller|"
        r"shorter|narrower|fewer) than|less \(better\) than|below|under|<",
        "<",
    ),
    (
        r"(?:greater|more|better) \((?:greater|more|higher|larger)\) than|exceeding|in excess of|"
        r"(?:greater|more|higher|larger|longer|wider|faster) than|above|over|beyond|>",
        ">",
    ),
    (r"better than", "<"),
]
_AFTER = [
    (r"or (?:more|greater|higher|above|larger|longer)|and (?:above|over|more)", ">="),
    (r"or (?:less|lower|below|smaller|fewer|shorter)|and (?:below|under|less)", "<="),
]
_BEFORE_RE = [(re.compile(rf"(?:{p})\s*$", re.I), op) for p, op in _BEFORE]
# "15,000 lbf (66.7 kN) of thrust or greater": the comparator may follow the value's
# equivalent in other units and the name of the parameter, which is then the "of" phrase.
# "(100 liters) and less than 20 m3" begins the next comparison: it is not a comparator.
_AFTER_RE = [
    (
        re.compile(
            rf"^\s*\)?\s*(?:\([^()]{{1,40}}\)\s*)?"
            rf"(?:of\s+(?P<noun>[a-z][\w-]*(?: [a-z][\w-]*)?)\s+)?(?:{p})\b(?!\s+than)",
            re.I,
        ),
        op,
    )
    for p, op in _AFTER
]
_RANGE_BEFORE = re.compile(r"(?:between|from|range of|ranging from|in the range)\s*$", re.I)
_BUT = re.compile(r"\bbut\s*$", re.I)

_ALL = re.compile(
    r"\b(?:all|both|each) (?:of )?(?:the following|of these)|having all\b|all of the following",
    re.I,
)
_ANY = re.compile(
    r"\b(?:any|either|one or more|one) of (?:the following|these)|\bany of\b|\beither of\b", re.I
)
_CAS = re.compile(r"\b(\d{2,7}-\d{2}-\d)\b")
_NOTE_START = re.compile(r"\b(?:Technical Notes?|Notes?(?: \d+)?|N\.B\.)\s*:", re.I)
_SEE_ALSO = re.compile(
    r"(N\.B\.\s*SEE ALSO(?:\s+(?:\d[A-E]\d{3}[\w.]*|ML\d+[\w.]*|AND|and|,))+)"
    r"(?=\s+(?:\d{1,2}|[a-z])\.\s)"
)
# Notes that may carry their own numbered lists ("N.B." cross-references do not).
_LIST_NOTE = re.compile(r"\b(?:Technical Notes?|Notes?(?: \d+)?)\s*:", re.I)
_EXCLUDES = re.compile(r"\bdo(?:es)? not (?:control|apply to)\b(?P<what>[^.]*(?:\.\d[^.]*)*)", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "with",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "as",
        "than",
        "that",
        "which",
        "having",
        "any",
        "all",
        "following",
        "be",
        "is",
        "are",
        "it",
        "its",
        "their",
        "from",
        "rated",
        "specified",
        "designed",
        "capable",
        "both",
        "either",
        "one",
        "more",
        "less",
    ]
)

# Marker of an enumerated item inside a row's text: "1.", "a.", US-style "a.1." / "b.2.a.".
# ("5A001.b. continued 3. Being radio ...": a page break leaves "continued" before a marker.)
_MARKER = re.compile(
    r"(?:(?<=[:;])|(?<=[:;] and)|(?<=[:;] or)|(?<=\. )|(?<=\.\))|(?<=\])|(?<=continued)|^)\s*"
    r"(?P<m>(?:[a-z]{1,2}\.|\d{1,2}\.)+)\s+(?=\[Reserved\]|[\"'“‘(A-Z0-9a-z])"
)


@dataclass
class Comparison:
    """``param`` ``op`` ``value`` (base units of ``dim``); op is >, >=, <, <= or 'in'."""

    param: str
    op: str
    value: float
    dim: str
    text: str
    high: float | None = None  # upper bound when op == "in"

    def holds(self, q: Quantity) -> bool:
        if self.op == "in":
            return q.high >= self.value and q.low <= (self.high or self.value)
        # A stated range is judged by its end that can meet the limit ("up to ...").
        v = q.high if self.op in (">", ">=") else q.low
        tol = 1e-9 * max(abs(self.value), 1e-30)
        return {
            ">": v > self.value + tol,
            ">=": v >= self.value - tol,
            "<": v < self.value - tol,
            "<=": v <= self.value + tol,
        }[self.op]

    def to_json(self) -> dict:
        d = {
            "param": self.param,
            "op": self.op,
            "value": self.value,
            "dim": self.dim,
            "text": self.text,
        }
        if self.high is not None:
            d["high"] = self.high
        return d


@dataclass
class Clause:
    """One item of the list's enumeration: its own comparisons, and children joined by
    ``mode`` ('all' or 'any')."""

    path: str
    text: str
    mode: str = "any"
    comparisons: list[Comparison] = field(default_factory=list)
    cas: list[str] = field(default_factory=list)
    children: list[Clause] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d: dict = {"path": self.path, "mode": self.mode, "text": self.text[:300]}
        if self.comparisons:
            d["comparisons"] = [c.to_json() for c in self.comparisons]
        if self.cas:
            d["cas"] = self.cas
        if self.excludes:
            d["excludes"] = self.excludes
        if self.children:
            d["children"] = [c.to_json() for c in self.children]
        return d

    @classmethod
    def from_json(cls, d: dict) -> Clause:
        return cls(
            path=d["path"],
            text=d.get("text", ""),
            mode=d.get("mode", "any"),
            comparisons=[
                Comparison(c["param"], c["op"], c["value"], c["dim"], c["text"], c.get("high"))
                for c in d.get("comparisons", [])
            ],
            cas=list(d.get("cas", [])),
            children=[cls.from_json(c) for c in d.get("children", [])],
            excludes=list(d.get("excludes", [])),
        )

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


# ---------------------------------------------------------------------------- parsing


def _param_words(before: str, limit: int = 7) -> str:
    """The parameter a comparison is about: the words just before its comparator."""
    seg = re.split(r"[;:(]|\b(?:and|or|having|with|which|where)\b", before)[-1]
    words = [w for w in _WORD.findall(seg) if w.lower() not in _STOP]
    return " ".join(words[-limit:]).lower()


_EXCLUDING = re.compile(r"\bexcluding\b[^,;:()]*", re.I)


def comparisons_in(text: str, decimal_comma: bool) -> list[Comparison]:
    """Every "<parameter> <comparator> <value unit>" in a clause's own text."""
    out: list[Comparison] = []
    qs = find_quantities(text, decimal_comma)
    # "greater than 400 N excluding civil certified engines with a thrust greater than
    # 8 890 N": a value inside the excluding phrase bounds what is excluded, not the clause.
    excluded = [m.span() for m in _EXCLUDING.finditer(text)]
    qs = [q for q in qs if not any(a <= q.start < b for a, b in excluded)]
    prev_end = 0
    for q in qs:
        before = text[max(prev_end, q.start - 90) : q.start]
        after = text[q.end : q.end + 40]
        op = None
        core = before.rstrip()
        core = re.sub(r"(?:\ba|\ban|\bof|\bthe)\s*$", "", core, flags=re.I).rstrip()
        for rx, o in _BEFORE_RE:
            m = rx.search(core)
            if m:
                op, core = o, core[: m.start()]
                if q.dim == NIJ_DIM and "better" in m.group(0).lower():
                    # A protection level is better when higher: "equal to or better than
                    # level III" (0A606) is >= III, not the "less (better)" of a noise figure.
                    op = ">=" if "equal" in m.group(0).lower() else ">"
                break
        noun, tail = None, ""
        if op is None:
            for rx, o in _AFTER_RE:
                m = rx.search(after)
                if m:
                    op, noun = o, m.group("noun")
                    tail = f" {' '.join(m.group(0).split())}" if noun else ""
                    break
        if q.low != q.high and op is None:
            op = "in"
        if op is None and _RANGE_BEFORE.search(core):
            op = "in"
        prev_end = q.end
        if op is None:
            continue
        param = noun.lower() if noun else _param_words(core)
        if _BUT.search(core) and out and out[-1].dim == q.dim:
            param = out[-1].param  # "of 150 nm or more but not exceeding 510 nm"
        if op == "in":
            out.append(Comparison(param, "in", q.low, q.dim, q.text, q.high))
        else:
            out.append(
                Comparison(
                    param,
                    op,
                    q.value if op in (">", ">=") else q.low,
                    q.dim,
                    f"{core[-50:].strip()} {before[len(core) :].strip()} {q.text}{tail}".strip(),
                )
            )
    return out


def _split_notes(text: str) -> tuple[str, list[str]]:
    """A clause's operative text, and its notes' exclusions ("does not control ...")."""
    m = _NOTE_START.search(text)
    if not m:
        return text, []
    body, notes = text[: m.start()], text[m.start() :]
    excl = [" ".join(x.group("what").split())[:200] for x in _EXCLUDES.finditer(notes)]
    return body, excl


def _kind(token: str) -> str:
    return "d" if token.isdigit() else "l"


def _next_value(v: str) -> str:
    return str(int(v) + 1) if v.isdigit() else chr(ord(v[-1]) + 1)


def parse_row(code: str, text: str, decimal_comma: bool) -> Clause:
    """The clause tree of one row's text (its own enumeration, nested as the list nests it)."""
    parts = code.split(".")
    last = parts[-1] if len(parts) > 1 else ""
    first_kind = "l" if not last or _kind(last) == "d" else "d"
    root = Clause(path=code, text="")
    stack: list[tuple[str, str, Clause]] = []  # (kind, value, clause)
    pieces: list[tuple[Clause, int, int]] = []
    # "N.B. SEE ALSO 3A101 1. A resolution ...": end the cross-reference so the list after
    # it is read as the clause's own.
    text = _SEE_ALSO.sub(r"\1;", text)
    cur, cur_start = root, 0
    end = len(text)
    note_next = ""  # the next number of the note's own list, while a note is being read
    with_path = False  # the list writes its markers with their path ("a.5.b.")
    stacks: dict[str, list[tuple[str, str, Clause]]] = {code: []}  # path -> its ancestors
    for m in _MARKER.finditer(text):
        tokens = [t for t in m.group("m").split(".") if t]
        tok = tokens[-1]
        kind = _kind(tok)
        if len(tokens) > 1 and tokens[0] == last:
            tokens = tokens[1:]  # US style repeats the row's own letter
        placed = None
        expected_child = first_kind if not stack else ("d" if stack[-1][0] == "l" else "l")
        # Inside a note, a list numbered afresh is the note's own, not a deeper level.
        # A note's list ends with its sentence: a marker after a full stop is the list's own.
        note = bool(_LIST_NOTE.search(text[cur_start : m.start()]))
        in_note = note and not text[: m.start()].rstrip().endswith(".")
        # ... unless the list writes its own markers with their path ("a.5.b.", US style)
        # and a bare marker goes on numbering the note's list ("3. ... . 4. For interleaved
        # ADCs ..."): a note's items are often sentences of their own.
        bare = len(m.group("m").rstrip(".").split(".")) == 1
        if note and bare and with_path and tok == note_next:
            in_note = True
        with_path = with_path or not bare
        if in_note:
            note_next = _next_value(tok)
            continue
        note_next = ""
        if not bare and ".".join([code, *tokens[:-1]]) in stacks:
            # A marker written with its path ("a.5.b.") says where it sits.
            stack = list(stacks[".".join([code, *tokens[:-1]])])
            placed = len(stack)
        elif kind == expected_child and tok in ("1", "a"):
            placed = len(stack)
        else:
            for depth in range(len(stack) - 1, -1, -1):
                k, v, _ = stack[depth]
                if k == kind and _next_value(v) == tok:
                    placed = depth
                    break
        if placed is None:
            if (
                last
                and not in_note
                and len(tokens) == 1
                and kind == _kind(last)
                and tok == _next_value(last)
            ):
                end = m.start()  # the row's next sibling begins: its text is not this row's
                break
            continue
        pieces.append((cur, cur_start, m.start()))
        del stack[placed:]
        parent = stack[-1][2] if stack else root
        node = Clause(path=f"{parent.path}.{tok}", text="")
        parent.children.append(node)
        stack.append((kind, tok, node))
        stacks[node.path] = list(stack)
        cur, cur_start = node, m.end()
    pieces.append((cur, cur_start, end))
    for node, a, b in pieces:
        own, excl = _split_notes(text[a:b])
        node.text = " ".join(own.split())
        node.excludes = excl
        node.comparisons = comparisons_in(node.text, decimal_comma)
        node.cas = _CAS.findall(node.text)
    for node in root.walk():
        node.mode = _mode(node)
    return root


def _mode(node: Clause) -> str:
    if _ALL.search(node.text):
        return "all"
    if _ANY.search(node.text):
        return "any"
    ends_and = sum(bool(re.search(r";\s*and\s*$", c.text)) for c in node.children)
    return "all" if node.children and ends_and * 2 > len(node.children) else "any"


# ---------------------------------------------------------------------------- evaluation


@dataclass
class Verdict:
    """Met (True), failed (False) or undecided (None), with what decided it."""

    status: bool | None
    path: str
    met: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    evaluated: int = 0
    # Every failure is a ceiling the item is above ("equal to or less than level IIIA"),
    # not a performance it falls short of ("less (better) than 130 micro g").
    above_ceiling: bool = False
    # A stated value is above the top of this clause's band ("8 bit or more, but less than
    # 10 bit" for a 14-bit converter): the clause is not the item's band.
    out_of_band: bool = False
    # The alternative is written for another kind of item than the one described ("ADCs
    # having ..." beside "DACs having ..." for a DAC): it neither meets nor keeps open.
    other_kind: bool = False


_NEAR = 48  # characters either side of a stated value that name its parameter


@dataclass
class Stated:
    """What a description states: quantities with the words that label each (same phrase)
    and the words around it, and CAS numbers."""

    text: str
    quantities: list[Quantity]
    labels: list[frozenset[str]]
    context: list[frozenset[str]]
    cas: frozenset[str]
    words: frozenset[str] = frozenset()
    negated: dict[str, str] = field(default_factory=dict)  # word -> "no nonlinear"
    derived: int = 0  # quantities at the end that were computed, not stated (dBm as W, ...)

    @property
    def values_stated(self) -> int:
        """How many values the description itself states."""
        return len(self.quantities) - self.derived


# "no nonlinear (X-parameter) option", "without any interleaved mode": features the item
# says it does not have.
_NEGATION = re.compile(r"\b(?:no|without|not)\s+(?:any\s+|an?\s+)?([A-Za-z][\w-]*)", re.I)


def _negated(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _NEGATION.finditer(text):
        if m.group(1).lower() not in _STOP:
            for w in _stems(m.group(1)):
                out.setdefault(w, " ".join(m.group(0).split()))
    return out


_PHRASE_END = re.compile(r"[,;()\[\]]|\bwith\b|\band\b")


_LABEL_STOP = frozenset(
    ["a", "an", "the", "of", "and", "or", "with", "for", "to", "in", "on", "at", "by", "as", "per"]
)


def _words(text: str, stop: frozenset[str] = _STOP) -> frozenset[str]:
    return frozenset(x for w in _WORD.findall(text) if w.lower() not in stop for x in _stems(w))


@lru_cache(maxsize=1)
def _watt_dim() -> str:
    return find_quantities("1 W")[0].dim


def with_watts(qs: list[Quantity]) -> list[Quantity]:
    """Powers stated in dBm also as watts ("+5 dBm" is 3.16 mW), since the lists compare
    output power in watts and give dBm only in brackets."""
    out = list(qs)
    for q in qs:
        if q.dim == "[dbm]":
            low, high = (10 ** ((v - 30) / 10) for v in (q.low, q.high))
            out.append(Quantity(low, high, _watt_dim(), q.text, q.start, q.end))
    return out


_FRACTIONAL = frozenset({"fractional"})  # named so: no other percentage takes it


def fractional_bandwidths(qs: list[Quantity]) -> list[Quantity]:
    """The "fractional bandwidth" of each stated frequency range ("8.5-10.5 GHz"): its
    width over its centre frequency, in percent, as the lists define it (3A001.b)."""
    return [
        Quantity(p, p, "[percent]", q.text, q.start, q.end)
        for q in qs
        if q.dim == "1 / [time]" and q.high > q.low > 0
        for p in [200.0 * (q.high - q.low) / (q.high + q.low)]
    ]


@lru_cache(maxsize=1)
def _cell_dims() -> tuple[str, str, str, str]:
    """Dimensions of a voltage, a charge (Ah), a mass and an energy per mass (Wh/kg)."""
    v, ah, g, wh_kg = (find_quantities(t)[0].dim for t in ("1 V", "1 Ah", "1 g", "1 Wh/kg"))
    return v, ah, g, wh_kg


def energy_density(qs: list[Quantity]) -> Quantity | None:
    """A cell's energy density from its stated nominal voltage, capacity and mass (3.7 V x
    10 Ah / 95 g = 389 Wh/kg), as the lists compare cells ("'energy density' exceeding 350
    Wh/kg", 3A001.e.1.b); only when each is stated once."""
    v_dim, ah_dim, g_dim, out_dim = _cell_dims()
    found = [[q for q in qs if q.dim == d] for d in (v_dim, ah_dim, g_dim)]
    if any(len(f) != 1 for f in found) or any(q.low != q.high for f in found for q in f):
        return None
    (v,), (ah,), (g,) = found
    if g.value <= 0:
        return None
    wh_kg = v.value * ah.value / g.value / 3600.0
    text = f"{wh_kg:.0f} Wh/kg ({v.text} × {ah.text} / {g.text})"
    value = v.value * ah.value / g.value  # J/kg, the base unit of Wh/kg
    return Quantity(value, value, out_dim, text, g.start, g.end)


def stated(text: str) -> Stated:
    found = find_quantities(text)
    qs = with_watts(found)
    labels, ctx = [], []
    for q in qs:
        left = _PHRASE_END.split(text[: q.start])[-1]
        right = _PHRASE_END.split(text[q.end :])[0]
        labels.append(_words(f"{left} {right}", _LABEL_STOP) - _GENERIC_LABEL)
        ctx.append(_words(text[max(0, q.start - _NEAR) : q.end + 20]))
    for q in fractional_bandwidths(qs):
        qs.append(q)
        labels.append(_FRACTIONAL)
        ctx.append(_FRACTIONAL)
    density = energy_density(qs)
    if density is not None:
        qs.append(density)
        labels.append(frozenset({"energy", "density"}))
        ctx.append(frozenset({"energy", "density"}))
    neg = _negated(text)
    words = _words(_no_values(text)) - frozenset(neg)  # "no nonlinear option" is not about it
    words = with_acronyms(words)
    cas = frozenset(_CAS.findall(text))
    return Stated(text, qs, labels, ctx, cas, words, neg, derived=len(qs) - len(found))


_DEFINED = re.compile(r"((?:[A-Za-z][\w-]*\s+){1,6})\(([A-Z][A-Za-z]{1,5}?)s?\)")
# The acronym in brackets alone: a text without one has no match of _DEFINED, and searching
# for it first spares _DEFINED's backtracking over the 4,067 bracketed clauses of the lists
# (0.2-0.4 s of the first classification in a process; same matches).
_BRACKETED = re.compile(r"\([A-Z][A-Za-z]{1,5}?s?\)")
_SMALL = frozenset(["to", "of", "and", "the", "for", "a", "an", "in", "on"])


def acronyms_in(text: str) -> dict[str, frozenset[str]]:
    """Acronyms the text defines ("Analogue-to-Digital Converter (ADC)"): acronym -> the
    words it stands for, when their initials spell it."""
    out: dict[str, frozenset[str]] = {}
    if not _BRACKETED.search(text):
        return out
    for m in _DEFINED.finditer(text):
        acr = m.group(2).upper()
        words = m.group(1).split()
        for k in range(1, len(words) + 1):
            parts = [p for w in words[-k:] for p in w.split("-") if p and p.lower() not in _SMALL]
            if "".join(p[0] for p in parts).upper() == acr:
                out[acr.lower()] = frozenset(x for w in words[-k:] for x in _stems(w))
                break
    return out


@lru_cache(maxsize=1)
def list_acronyms() -> dict[str, frozenset[frozenset[str]]]:
    """The acronyms the lists define, each with its spellings out, from the committed criteria."""
    out: dict[str, set[frozenset[str]]] = {}
    for tree in load_criteria().values():
        for node in tree.walk():
            if "(" in node.text:
                for acr, full in acronyms_in(node.text).items():
                    out.setdefault(acr, set()).add(full)
    return {acr: frozenset(fulls) for acr, fulls in out.items()}


def with_acronyms(words: frozenset[str]) -> frozenset[str]:
    """A description's words with the lists' acronyms it spells out: "analogue-to-digital
    converter" names an ADC. (Not the reverse: "CW" is continuous wave to a laser maker and
    chemical warfare to the list.)"""
    return words | {a for a, fulls in list_acronyms().items() if any(f <= words for f in fulls)}


def _stem(w: str) -> str:
    if len(w) > 2 and w.endswith("s") and w[:-1].isupper():
        w = w[:-1]  # an acronym's plural: "ADCs", "UAVs"
    w = w.lower()
    if w.endswith("ies") and len(w) > 5:
        return w[:-3] + "y"  # frequencies -> frequency, accuracies -> accuracy
    return w[:-1] if w.endswith("s") and len(w) > 4 else w


def _stems(w: str) -> set[str]:
    """A word's stem and, for a hyphenated word, its parts' ("scale-factor" names the
    scale factor, as the list writes it)."""
    out = {_stem(w)}
    if "-" in w:
        out |= {_stem(p) for p in w.split("-") if len(p) > 2}
    return out


# Words that qualify a stated value without naming a parameter ("range ±10 g", "rated
# 4 kW", "maximum 1 500 deg/s"): a value labelled only by them is read as unnamed, so it
# can stand for the list's parameter of its kind when no other value of that kind is named.
_GENERIC_LABEL = frozenset(
    _stem(w)
    for w in [
        *("range", "rated", "rating", "max", "maximum", "min", "minimum", "up", "nominal"),
        *("typical", "total", "peak", "capacity", "specified", "spec", "approx"),
        *("approximately", "about", "least", "most", "over", "under", "full", "scale"),
        *("full-scale", "measuring", "measurement", "operating", "working", "value"),
    ]
)


def _describe(c: Comparison, q: Quantity | None) -> str:
    lim = c.text if len(c.text) < 90 else c.text[-90:]
    if q is None:
        return f"needs {c.param or 'a value'} ({lim})"
    return f"{c.param or 'value'}: requires “{lim}”; stated {q.text}"


# Dimensions that lists use for one parameter each (resolution in bits, sample rate, dose).
_ONE_MEANING = frozenset(
    [
        "[bit]",
        "[sample] / [time]",
        "[bit] / [time]",
        "[frame] / [time]",
        "[gray_si]",
        "[gray_si] / [time]",
        "[wt_flop]",
        "[operation] / [time]",
        "[db_re_upa]",
        "[atom_percent]",
        "[pixel]",
        "[terminal]",
        "[axis]",
        "[nij_level]",
    ]
)


def _check(c: Comparison, s: Stated) -> tuple[bool | None, Quantity | None]:
    idx = [i for i, q in enumerate(s.quantities) if q.dim == c.dim]
    if not idx:
        return None, None
    pw = {x for w in c.param.split() for x in _stems(w)}
    # The value whose own phrase names the parameter; else one with no name of its own
    # ("1,070 nm, 800 W"); a value named as something else is not this parameter.
    by_label = [i for i in idx if pw & s.labels[i]]
    unnamed = [i for i in idx if not s.labels[i]]
    if not by_label and len(idx) == 1 and c.dim in _ONE_MEANING:
        by_label = idx  # "14-bit ADC": a single value of this kind can mean only one thing
    if by_label:
        best = max(len(pw & s.labels[i]) for i in by_label)
        chosen = [i for i in by_label if len(pw & s.labels[i]) == best]
    elif unnamed:
        chosen = unnamed
    else:
        # Only nearby words link the value to the parameter: enough to say it is met,
        # not enough to reject on.
        overlap = [len(pw & s.context[i]) for i in idx]
        near = [i for i, o in zip(idx, overlap, strict=True) if o and o == max(overlap)]
        hit = next((i for i in near if c.holds(s.quantities[i])), None)
        return (True, s.quantities[hit]) if hit is not None else (None, None)
    # When the words cannot tell which stated value is meant, any that meets it counts.
    for i in chosen:
        if c.holds(s.quantities[i]):
            return True, s.quantities[i]
    return False, s.quantities[chosen[0]]


def _above_band(c: Comparison, node: Clause, q: Quantity) -> bool:
    """The stated value is over the upper end of a band ("exceeding 1 kW but not
    exceeding 10 kW") that the same clause opens from below."""
    if c.op not in ("<", "<="):
        return False
    has_floor = any(
        o.dim == c.dim and o.op in (">", ">=") and o.value < c.value for o in node.comparisons
    )
    return has_floor and q.low > c.value


_VALUE = re.compile(r"[-+±]?\d[\d.,]*(?:\s?(?:x|×)\s?10\S*)?(?:\s?-?[A-Za-zµ°%/]+)?")


def _no_values(text: str) -> str:
    """Text without its numbers and the unit after each ("14-bit", "500 MSPS")."""
    return _VALUE.sub(" ", text)


def subject_words(node: Clause, limit: int = 12) -> frozenset[str]:
    """The first meaningful words of a clause, numbers and units left out: what it is
    about ("Analogue-to-Digital Converters ...")."""
    words = [_stem(w) for w in _WORD.findall(_no_values(node.text)) if w.lower() not in _STOP]
    return frozenset(words[:limit])


# Words of a subject that name no kind of item ("equipment having ... per second").
_NOT_NAMING = frozenset(
    [
        *("per", "but", "not", "other", "greater", "exceeding", "equal", "than", "see", "also"),
        *("equipment", "system", "item", "component", "part", "device", "specially", "used"),
        *("following", "type", "n", "b", "note", "technical", "thereof", "therefor"),
    ]
)


def names_item(node: Clause, s: Stated) -> bool:
    """Whether an alternative's subject (its first words) names the described item."""
    head = [w for w in _WORD.findall(node.text) if w.lower() not in _STOP][:12]
    return bool({_stem(w) for w in head} - _NOT_NAMING & s.words)


def about(node: Clause, s: Stated) -> bool:
    """Whether an alternative is about the described item: a word of its subject (its
    first words) or two words of its text (not its numbers) are the description's."""
    if names_item(node, s):
        return True
    subject = _words(re.sub(r"\d[\d.,]*", " ", " ".join(c.text for c in node.walk())[:400]))
    return len(subject & s.words) >= 2


def named_failure_decides(failed: list[Clause], undecided: list[Clause], s: Stated) -> bool:
    """A failed alternative whose subject names the item ("ADCs" for an ADC) decides over
    undecided ones that share only words with the description and none of whose values
    was tested: a classifier reads the alternative written for the item, not every
    neighbour that mentions one of its words."""
    return any(names_item(c, s) for c in failed) and not any(names_item(c, s) for c in undecided)


_SUBJECT_END = re.compile(
    r"[,;:]|\b(?:having|designed|specially|with|for|as follows|which|that|being|capable|"
    r"rated|employing|incorporating|containing|consisting|other than|not|except)\b",
    re.I,
)


def _subject(node: Clause, limit: int = 8) -> frozenset[str]:
    """The words an alternative opens with, up to its first qualifier ("Tunable lasers"
    of "Tunable lasers having ..."), whole: "Non-tunable", "ADCs"."""
    head = _SUBJECT_END.split(_no_values(node.text), maxsplit=1)[0]
    words = [w for w in _WORD.findall(head) if w.lower() not in _STOP]
    return frozenset(_stem(w) for w in words[:limit]) - _NOT_NAMING


_VACANT = re.compile(r"\s*(?:\[?Reserved\]?|Not used)\b", re.I)


# An alternative that opens with these states a parameter or a property ("An output power
# ...", "Rated for ...", "Specified to ..."), not a kind of item.
_PROPERTY_START = re.compile(
    r"\W*(?:a|an|the|rated|specified|designed|having|capable|being|with|employing|other|not|"
    r"less|more|greater|equal|any|all|each|one|total|maximum|minimum|peak|average|made|"
    r"manufactured|operating|providing|used|usable)\b",
    re.I,
)


def _is_kind(node: Clause) -> bool:
    """Whether an alternative names a kind of item the list's way: a plural noun phrase
    ("Discrete microwave transistors", "ADCs having ..."), not a property."""
    if _PROPERTY_START.match(node.text):
        return False
    head = _SUBJECT_END.split(_no_values(node.text), maxsplit=1)[0]
    head = _WORD.findall(re.sub(r"\([^()]*\)", " ", head))  # "Converters (DAC)"
    return bool(head) and len(head[-1]) > 3 and head[-1].endswith("s") and head[-1][-2] != "s"


def other_kinds(alternatives: list[Clause], s: Stated) -> set[int]:
    """The alternatives written for another kind of item: among alternatives that each name
    a kind, those whose own kind words (subject words no sibling's subject has) the
    description does not name while it names a sibling's ("ADCs having ..." beside
    "Digital-to-Analogue Converters having ..." for a DAC; "Vacuum electronic devices"
    beside "MMIC amplifiers" for an MMIC amplifier)."""
    kinds = [i for i, c in enumerate(alternatives) if _is_kind(c)]
    if len(kinds) < 2:
        return set()
    subjects = {i: _subject(alternatives[i]) for i in kinds}
    own = {
        i: subj - frozenset().union(*(o for j, o in subjects.items() if j != i))
        for i, subj in subjects.items()
    }
    if not any(o & s.words for o in own.values()):
        return set()
    return {i for i, o in own.items() if o and not o & s.words}


def negated_subject(node: Clause, s: Stated) -> str | None:
    """The description's "no nonlinear ..." when the clause's first words name that feature
    (a word of the same family counts: "no cryptographic ..." denies "cryptography")."""
    if not s.negated:
        return None
    head = [w for w in _WORD.findall(_no_values(node.text)) if w.lower() not in _STOP][:8]
    for h in {_stem(w) for w in head} - _NOT_NAMING:
        for w, said in s.negated.items():
            if h == w or (min(len(h), len(w)) >= 7 and h[:7] == w[:7]):
                return said
    return None


def is_ceiling(c: Comparison) -> bool:
    """An upper limit of what the entry covers, not a performance written as "less
    (better) than"."""
    return c.op in ("<", "<=") and not re.search(r"better|lower|smaller", c.text, re.I)


def evaluate(node: Clause, s: Stated) -> Verdict:
    """Three-valued test of a clause tree. A clause holds when its own comparisons hold
    and its children hold as a whole ('all' / 'any'). Children about parameters the
    description does not state stay undecided; under 'any' they do not block a failure
    of the siblings that were tested, since an item is judged on what it states."""
    v = Verdict(status=None, path=node.path)
    own: list[bool] = []
    ceilings: list[bool] = []
    for c in node.comparisons:
        ok, q = _check(c, s)
        if ok is False and q is not None and _above_band(c, node, q):
            ok = None  # beyond this band's top: a higher band elsewhere may take it
            v.out_of_band = True
        if ok is None:
            v.needs.append(c.param or c.text)
            continue
        own.append(ok)
        v.evaluated += 1
        (v.met if ok else v.failed).append(_describe(c, q))
        if not ok:
            ceilings.append(is_ceiling(c))
    if node.cas and s.cas:
        hit = bool(set(node.cas) & s.cas)
        own.append(hit)
        v.evaluated += 1
        verb = "listed" if hit else "not among"
        (v.met if hit else v.failed).append(
            f"CAS {', '.join(sorted(s.cas))} {verb} {', '.join(node.cas[:4])}"
        )
    kids = [evaluate(c, s) for c in node.children]
    if node.mode == "any" and len(kids) > 1:
        for i in other_kinds(node.children, s):
            if kids[i].status is not False:
                kids[i] = Verdict(None, kids[i].path, other_kind=True)
        for i, alt in enumerate(node.children):
            if kids[i].status is None and _VACANT.match(alt.text):
                kids[i] = Verdict(None, kids[i].path, other_kind=True)  # "Not used", "[Reserved]"
    child: bool | None = None
    if kids:
        if node.mode == "all":
            if any(k.status is False for k in kids):
                child = False
            elif all(k.status is True for k in kids):
                child = True
        elif any(k.status is True for k in kids):
            child = True
        elif any(k.status is False for k in kids):
            # An undecided alternative keeps the clause open when some of its values were
            # tested or it is about the described item; alternatives about other things,
            # none of whose values is stated, do not.
            keep = [
                (k, c)
                for k, c in zip(kids, node.children, strict=True)
                if k.status is None
                and not (k.out_of_band or k.other_kind)
                and (k.evaluated or about(c, s))
            ]
            failed = [c for k, c in zip(kids, node.children, strict=True) if k.status is False]
            if not keep or (
                not any(k.evaluated for k, _ in keep)
                and named_failure_decides(failed, [c for _, c in keep], s)
            ):
                child = False
    if False in own or child is False:
        v.status = False
    elif v.needs:
        v.status = None  # a deciding value is not stated
    elif kids:
        v.status = True if child is True else None
    else:
        v.status = True if own else None
    for k in kids:
        v.evaluated += k.evaluated
        if v.status is True and k.status is True:
            v.met += k.met
            if v.path == node.path:
                v.path = k.path  # the deepest sub-paragraph that is met
        elif v.status is False and k.status is False:
            v.failed += k.failed
            ceilings.append(k.above_ceiling)
        elif v.status is None:
            v.needs += k.needs
            v.met += k.met
    neg = negated_subject(node, s) if v.status is True else None
    if neg:
        v.status, v.path, v.failed = (
            False,
            node.path,
            [f"{node.path}: the description states “{neg}”"],
        )
    if v.status is not True:
        v.met = v.met if v.status is None else []
    v.above_ceiling = v.status is False and bool(ceilings) and all(ceilings)
    return v


# ---------------------------------------------------------------------------- the data


@lru_cache(maxsize=1)
def load_criteria() -> dict[tuple[str, str], Clause]:
    """(catalogue, row code) -> clause tree, from the committed criteria file."""
    out: dict[tuple[str, str], Clause] = {}
    if not CRITERIA_FILE.exists():
        return out
    with CRITERIA_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out[(r["catalogue"], r["code"])] = Clause.from_json(r["tree"])
    return out


# "5 x 10 Gy (silicon)": a mantissa times ten with the exponent (a superscript) lost when the
# EU list was extracted; 22 places (1C001, 1C007, 1C010, 2B007.c, 4A001 ...).
_LOST_EXPONENT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?) x 10 (?=[A-Za-zµ(])")


def fill_lost_exponents(text: str, reference: str) -> str:
    """The exponents the EU text lost, from another list's text of the same row where the
    same mantissa has one ("5 × 10 3 Gy (Si)" in the US list); left as they are otherwise,
    so that no comparison is read from them."""

    def fill(m: re.Match) -> str:
        mantissa = re.escape(m.group(1).replace(",", "."))
        ref = re.search(rf"(?<![\d.]){mantissa}\s?[x×]\s?10\s?\^?\s?(-?\d{{1,2}})\b", reference)
        return f"{m.group(1)} x 10^{ref.group(1)} " if ref else m.group(0)

    return _LOST_EXPONENT.sub(fill, text) if reference else text


def criteria_text(catalogue: str, text: str, reference: str = "") -> str:
    """The row text the criteria are read from: the EU list's with its lost exponents filled
    from ``reference`` (the US list's text of the same code)."""
    return fill_lost_exponents(text, reference) if catalogue == "eu-dual-use" else text


def decimal_comma_for(catalogue: str) -> bool:
    """EU texts write 1,5 for one and a half and 1 000 for a thousand."""
    return catalogue.startswith("eu-")


# The word pattern, stop words, value stripping and stems, for classify/exclusions.py, which
# reads the lists' notes with the same words as the clauses.
WORD = _WORD
STOP = _STOP
no_values = _no_values
stems = _stems
