"""Value normalisation: numbers in any locale, money, currencies, codes, OCR slips."""

from __future__ import annotations

import re
import unicodedata

import pycountry

# Symbols and words that name a currency; ISO codes are recognised from pycountry.
CURRENCY_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "US$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₩": "KRW",
    "₹": "INR",
    "zł": "PLN",
    "kč": "CZK",
    "fr.": "CHF",
    "sfr": "CHF",
    "r$": "BRL",
    "a$": "AUD",
    "c$": "CAD",
    "kr": None,  # ambiguous (SEK/NOK/DKK/ISK): only a hint
}
CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "pound sterling": "GBP",
    "pounds sterling": "GBP",
    "yen": "JPY",
    "swiss francs": "CHF",
    "franken": "CHF",
    "zloty": "PLN",
    "złoty": "PLN",
    "kronor": "SEK",
    "kroner": "NOK",
}
# Codes that look like currencies but are common words or units in applications.
_NOT_CURRENCY = {
    "ALL",
    "PCS",
    "SET",
    "UNI",
    "TOP",
    "CUP",
    "MOP",
    "BOB",
    "PEN",
    "TRY",
    "MAD",
    "CVE",
    "GEL",
    "LAK",
    "STD",
    "SOS",
    "ANG",
    "TOT",
}
ISO_CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies) - {"XXX", "XTS"}
_STRONG_CURRENCIES = {
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "JPY",
    "PLN",
    "CZK",
    "HUF",
    "RON",
    "CAD",
    "AUD",
    "NZD",
    "SGD",
    "AED",
    "SAR",
    "INR",
    "KRW",
    "CNY",
    "BRL",
    "MXN",
    "ZAR",
    "TRY",
    "ILS",
    "HKD",
    "CLP",
    "MAD",
    "EGP",
}

# OCR confuses letters and digits inside numbers: O0, Il|1, S5, B8, Z2.
_OCR_DIGIT = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
    }
)
_NUMBER_BODY = re.compile(r"^[+-]?[\d.,' \u00a0\u202f]*\d[\d.,' \u00a0\u202f]*$")


class _FoldTable(dict[int, str]):
    """str.translate table filled on first use: each character to its plain lower-case base."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        decomposed = unicodedata.normalize("NFKD", ch)
        base = decomposed[0] if decomposed else ch
        folded = base.lower() if len(base.lower()) == 1 else base
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without diacritics, keeping the string's length (one char per char)."""
    return text.translate(_FOLD)


def fix_ocr_digits(token: str) -> str:
    """Turn letter look-alikes into digits when the token is otherwise a number."""
    if sum(ch.isdigit() for ch in token) < max(1, len(token) // 2):
        return token
    return token.translate(_OCR_DIGIT)


def parse_number(text: str | None) -> float | None:
    """A number written in any common locale: 1,250.00 / 1.250,00 / 1 250,00 / 12 500 / 1'250.

    Returns None for text that is not a single number. A lone separator followed by exactly
    three digits (1,250 or 1.250) is read as a thousands separator.
    """
    if text is None:
        return None
    s = text.strip().strip("*").rstrip(".,;:").strip()
    s = fix_ocr_digits(s.replace("\u2212", "-"))
    if not s or not _NUMBER_BODY.match(s):
        return None
    negative = s.startswith("-")
    s = s.lstrip("+-").replace("'", " ").replace("\u00a0", " ").replace("\u202f", " ")
    # a space may only separate thousands: "12 500" is one number, "27 12" is two
    if " " in s and not re.fullmatch(r"\d{1,3}( \d{3})+([.,]\d+)?", s):
        return None
    s = s.replace(" ", "")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            decimal = None  # thousands separators only
        else:
            decimal = sep
    else:
        decimal = None
    if decimal is None:
        digits = s.replace(".", "").replace(",", "")
    else:
        thousands = "," if decimal == "." else "."
        digits = s.replace(thousands, "").replace(decimal, ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


def currency_of(token: str) -> str | None:
    """ISO 4217 code for a currency code, symbol or word, else None."""
    t = token.strip().strip(".,:;()[]")
    if not t:
        return None
    upper = t.upper()
    if upper in _STRONG_CURRENCIES:
        return upper
    lower = t.lower()
    if lower in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[lower]
    if t in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[t]
    if lower in CURRENCY_WORDS:
        return CURRENCY_WORDS[lower]
    if t.isupper() and upper in ISO_CURRENCIES and upper not in _NOT_CURRENCY:
        return upper
    return None


_MONEY = re.compile(
    r"(?P<pre>[A-Z]{3}|[€$£¥₹]|US\$|[A-Z]\$)?\s*(?P<num>[+-]?\d[\d.,' \u00a0\u202f]*\d|\d)\s*"
    r"(?P<post>[A-Z]{3}|[€$£¥]|zł|Kč)?",
)


def parse_money(text: str | None) -> tuple[float | None, str | None]:
    """'EUR 1.250,00', '€1,250.00', '1 250,00 EUR' -> (1250.0, 'EUR'); currency may be None."""
    if not text:
        return None, None
    cleaned = text.strip()
    currency = None
    for token in re.findall(r"[A-Za-z]{3}|[€$£¥₹]|US\$|zł|Kč", cleaned):
        currency = currency_of(token)
        if currency:
            break
    numeric = re.sub(r"(?i)\b(?:[a-z]{3}|us)\b|[€$£¥₹]|zł|kč", " ", cleaned).strip()
    numeric = re.sub(r"\s{2,}", " ", numeric)
    value = parse_number(numeric)
    if value is None:
        # OCR may glue a currency to the number ("EUR1,250.00") or add stray marks
        m = re.search(r"[+-]?\d[\d.,' ]*\d|\d", fix_ocr_digits(numeric.replace(" ", "")))
        value = parse_number(m.group(0)) if m else None
    return value, currency


_CODE_FIXES = [
    (re.compile(r"^EAR[QO0D]99$", re.I), "EAR99"),
    (re.compile(r"^EAR9{1,2}$", re.I), "EAR99"),
]


def normalise_code(code: str | None) -> str | None:
    """Declared control-list codes: EARQ99 -> EAR99, 5AOO2 -> 5A002, 'ml 13' -> ML13."""
    if code is None:
        return None
    c = code.strip().strip(",;:|©®°'\"").replace(" ", "").lstrip("[{")
    if c.startswith("(") and c.endswith(")"):
        c = c[1:-1]
    while c.endswith((")", "]", "}")) and c.count("(") < c.count(")") + c.count("]") + c.count("}"):
        c = c[:-1]
    if not c or c in {"—", "-", "–", "N/A", "n/a", "none", "None"}:
        return None
    for pattern, replacement in _CODE_FIXES:
        if pattern.match(c):
            return replacement
    c = re.sub(r"^(\d)[€©(]", r"\1C", c)  # OCR reads the C of 1C350 as € or ©
    if not re.search(r"\d", c) and (len(c) < 3 or not any(ch.isupper() for ch in c)):
        return None  # no digit and no capitals ("aeeee", "oo"): OCR debris, not a code
    m = re.match(r"^([0-9OoIlS])([A-Ea-e])([0-9OoIlS]{3})(.*)$", c)
    if m:
        head = fix_ocr_digits(m.group(1)).translate(_OCR_DIGIT)
        body = m.group(3).translate(_OCR_DIGIT)
        return f"{head}{m.group(2).upper()}{body}{m.group(4)}"
    m = re.match(r"^(?i:ml)([0-9OoIlS]{1,2})(.*)$", c)
    if m:
        return f"ML{m.group(1).translate(_OCR_DIGIT)}{m.group(2)}"
    return c


def fix_email(text: str) -> str:
    """Rejoin e-mail addresses that OCR split around the @ ("name @ host.tld")."""
    return re.sub(
        r"(\S)\s+@\s*(\S)|(\S)@\s+(\S)",
        lambda m: f"{m.group(1) or m.group(3)}@{m.group(2) or m.group(4)}",
        text,
    )


def clean_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
