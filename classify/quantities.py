"""Numbers with units in list text and applicants' text, normalised with pint to base units."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Surface spellings of units -> a pint expression. Units pint cannot express as a
# dimension of their own (decibels, samples, operations, angles, radiation dose on
# silicon) get a custom base dimension in the registry below, so that, for example,
# "1 500 deg/s" is never compared with "1 GHz" and "MSPS" never with "Mbit/s".
log = logging.getLogger(__name__)

_UNIT_DEFS = (
    "sample_ = [sample] = sample",
    "bit_ = [bit]",
    "byte_ = 8 bit_",
    "word_ = sample_",
    "operation_ = [operation] = op",
    "flop_ = operation_",
    "weighted_tflop_ = [wt_flop]",
    "angle_deg_ = [angle]",
    "angle_rad_ = 57.29577951308232 angle_deg_",
    "angle_mrad_ = 0.05729577951308232 angle_deg_",
    "angle_arcsec_ = 0.0002777777777777778 angle_deg_",
    "angle_arcmin_ = 0.016666666666666666 angle_deg_",
    "decibel_ = [decibel]",
    "dbm_ = [dbm]",
    "dbc_ = [dbc]",
    "db_re_uPa_ = [db_re_upa]",
    "pixel_ = [pixel]",
    "frame_ = [frame]",
    "terminal_ = [terminal]",
    "axis_ = [axis]",
    "channel_ = [channel]",
    "percent_ = [percent]",
    "ppm_ = 0.0001 percent_",
    "atom_percent_ = [atom_percent]",
    "gray_si_ = [gray_si]",
    "rad_si_ = 0.01 gray_si_",
    "g_accel_ = 9.80665 meter / second ** 2",
    "hp_ = 745.7 watt",
)

# Lower-case surface form -> pint expression. Longest forms are tried first.
UNIT_FORMS: dict[str, str] = {
    # time and frequency
    "ghz": "GHz",
    "mhz": "MHz",
    "khz": "kHz",
    "thz": "THz",
    "hz": "Hz",
    "ns": "ns",
    "ps": "ps",
    "fs": "fs",
    "µs": "µs",
    "us": "µs",
    "ms": "ms",
    "s": "s",
    "sec": "s",
    "seconds": "s",
    "second": "s",
    "min": "minute",
    "minutes": "minute",
    "minute": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hours": "hour",
    "hour": "hour",
    "years": "year",
    "year": "year",
    # rates of samples, operations, data
    "gsps": "1e9 sample_/s",
    "gs/s": "1e9 sample_/s",
    "msps": "1e6 sample_/s",
    "ms/s": "1e6 sample_/s",
    "ksps": "1e3 sample_/s",
    "sps": "sample_/s",
    "million words per second": "1e6 sample_/s",
    "gbit/s": "1e9 bit_/s",
    "gbps": "1e9 bit_/s",
    "gb/s": "1e9 bit_/s",
    "mbit/s": "1e6 bit_/s",
    "mbps": "1e6 bit_/s",
    "kbit/s": "1e3 bit_/s",
    "kbps": "1e3 bit_/s",
    "bit/s": "bit_/s",
    "bps": "bit_/s",
    "tbit/s": "1e12 bit_/s",
    "gbyte/s": "1e9 byte_/s",
    "frames/s": "frame_/s",
    "frames per second": "frame_/s",
    "fps": "frame_/s",
    "tops": "1e12 operation_/s",
    "gflops": "1e9 flop_/s",
    "tflops": "1e12 flop_/s",
    "weighted teraflops": "weighted_tflop_",
    "wt": "weighted_tflop_",
    # power, energy, force, pressure
    "tw": "TW",
    "gw": "GW",
    "mw": "mW",
    "megawatt": "MW",
    "kw": "kW",
    "w": "W",
    "kva": "kW",
    "mva": "MW",
    "va": "W",
    "mj": "mJ",
    "kj": "kJ",
    "j": "J",
    "µj": "µJ",
    "uj": "µJ",
    "wh/kg": "W*hour/kg",
    "kn": "kN",
    "n": "N",
    "lbf": "lbf",
    "gpa": "GPa",
    "mpa": "MPa",
    "kpa": "kPa",
    "pa": "Pa",
    "bar": "bar",
    "psi": "psi",
    "kpsi": "1000 psi",
    "ksi": "1000 psi",
    "hp": "hp_",
    "n/m2": "N/m**2",
    "n/m²": "N/m**2",
    "n/mm2": "N/mm**2",
    "n/mm²": "N/mm**2",
    # linear and areal density ("explosive core load 64 g/m", "200 g/m2")
    "g/m": "g/m",
    "kg/m": "kg/m",
    "g/m2": "g/m**2",
    "g/m²": "g/m**2",
    # length, area, volume, mass
    "km": "km",
    "m": "m",
    "cm": "cm",
    "mm": "mm",
    "µm": "µm",
    "um": "µm",
    "micron": "µm",
    "microns": "µm",
    "micrometre": "µm",
    "nm": "nm",
    "pm": "pm",
    "inch": "inch",
    "inches": "inch",
    "in.": "inch",
    "nautical miles": "nautical_mile",
    "nautical mile": "nautical_mile",
    "nmi": "nautical_mile",
    "miles": "mile",
    "mile": "mile",
    "days": "day",
    "day": "day",
    "ft": "ft",
    "feet": "ft",
    "m2": "m**2",
    "m²": "m**2",
    "cm2": "cm**2",
    "mm2": "mm**2",
    "m3": "m**3",
    "cm3": "cm**3",
    "l": "liter",
    "litres": "liter",
    "liters": "liter",
    "litre": "liter",
    "kg": "kg",
    "g": "g",
    "mg": "mg",
    "µg": "µg",
    "ug": "µg",
    "t": "tonne",
    "tonnes": "tonne",
    "micrograms": "µg",
    "milligrams": "mg",
    "grams": "g",
    "kda": "kDa",
    # speed, acceleration, angles
    "m/s": "m/s",
    "km/h": "km/hour",
    "knots": "knot",
    "kn/h": "knot",
    "mph": "mph",
    "nm/h": "nautical_mile/hour",
    "nmi/h": "nautical_mile/hour",
    "nmi/hr": "nautical_mile/hour",
    "g rms": "g_accel_",
    "micro g": "1e-6 g_accel_",
    "µg accel": "1e-6 g_accel_",
    "mg accel": "1e-3 g_accel_",
    "deg/h": "angle_deg_/hour",
    "deg/hr": "angle_deg_/hour",
    "°/h": "angle_deg_/hour",
    "°/hr": "angle_deg_/hour",
    "degrees per hour": "angle_deg_/hour",
    "degree per hour": "angle_deg_/hour",
    "deg/s": "angle_deg_/s",
    "°/s": "angle_deg_/s",
    "degrees": "angle_deg_",
    "degree": "angle_deg_",
    "deg": "angle_deg_",
    "°": "angle_deg_",
    "mrad": "angle_mrad_",
    "µrad": "1e-6 angle_rad_",
    "urad": "1e-6 angle_rad_",
    "arcsec": "angle_arcsec_",
    "arc second": "angle_arcsec_",
    "arc seconds": "angle_arcsec_",
    # electrical, thermal, radiation
    "kv": "kV",
    "v": "V",
    "mv": "mV",
    "a": "A",
    "ka": "kA",
    "ma": "mA",
    "ah": "A*hour",
    "ohm-cm": "ohm*cm",
    "ohm cm": "ohm*cm",
    "ω·cm": "ohm*cm",
    "ohm": "ohm",
    "k": "K",
    "°c": "degC",
    "c": "degC",
    "gy(si)": "gray_si_",
    "gy (silicon)": "gray_si_",
    "gy": "gray_si_",
    "krad(si)": "1000 rad_si_",
    "krad": "1000 rad_si_",
    "rad(si)": "rad_si_",
    "mrad(si)": "1e6 rad_si_",
    "tesla": "T",
    "nt": "nT",
    "mgal": "mGal",
    # logarithmic and counts
    "dbm": "dbm_",
    "dbc/hz": "dbc_",
    "dbc": "dbc_",
    "dbfs": "decibel_",
    "db": "decibel_",
    "db re 1 v/upa": "db_re_uPa_",
    "db re 1 v/µpa": "db_re_uPa_",
    "%": "percent_",
    "wt %": "percent_",  # by weight, not weighted TFLOPS
    "wt%": "percent_",
    "wt.%": "percent_",
    "wt. %": "percent_",
    "percent": "percent_",
    "ppm": "ppm_",
    "atom %": "atom_percent_",
    "pixels": "pixel_",
    "terminals": "terminal_",
    "axes": "axis_",
    "channels": "channel_",
    "bit": "bit_",
    "bits": "bit_",
    "-bit": "bit_",
    # compound adjectives: "4-hour excursions", "30-minute flight", "5-year life"
    "-hour": "hour",
    "-hr": "hour",
    "-minute": "minute",
    "-min": "minute",
    "-second": "s",
    "-day": "day",
    "-year": "year",
    "-metre": "m",
    "-meter": "m",
    "-kilometre": "km",
    "-kilometer": "km",
    "-inch": "inch",
    "-foot": "ft",
    "-mile": "mile",
    "mbit": "1e6 bit_",
    "gbit": "1e9 bit_",
}
# Units that only count as such right after a number (too common as words otherwise).
_BARE_RISKY = {"a", "c", "k", "m", "n", "s", "t", "g", "h", "l", "v", "w", "in."}

_NUM = r"(?:\d{1,3}(?:[ ,.]\d{3})+|\d+)(?:[.,]\d+)?"
_EXP = r"(?:\s?(?:x|×|\*)\s?10\s?(?:\^|\*\*)?\s?[-−]?\s?\d{1,2})?"
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNIT_FORMS), key=len, reverse=True))
_QTY = re.compile(
    rf"(?<![\w.])(?<!\w-)(?P<pm>\+/-|±)?(?P<n1>[-−+]?{_NUM}{_EXP})"
    rf"(?:\s?(?P<range>-|–|to|and)\s?(?P<n2>[-−+]?{_NUM}{_EXP}))?"
    rf"(?:\s?(?P<u1>{_UNIT_ALT})\s?(?P<range2>-|–|to)\s?(?P<n3>[-−+]?{_NUM}{_EXP}))?"
    rf"(?P<mult>\s(?:million|billion|thousand))?"
    rf"\s?(?P<unit>{_UNIT_ALT})(?![\w/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A stated value (or range) in base units, with its dimension and where it stood."""

    low: float
    high: float
    dim: str
    text: str
    start: int
    end: int

    @property
    def value(self) -> float:
        return self.high


@lru_cache(maxsize=1)
def registry():
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _UNIT_DEFS:
        ureg.define(line)
    return ureg


def unit_scale(form: str) -> tuple[float, float, str] | None:
    """(factor, offset, dimension) turning a number in this surface unit into base units."""
    return unit_table().get(form.lower())


@lru_cache(maxsize=1)
def unit_table() -> dict[str, tuple[float, float, str] | None]:
    """`unit_scale` of every surface form, read from the derived cache when this code and this
    pint computed it before (pint's registry took 0.3-0.5 s of every classification's start;
    docs/benchmarks.md), else computed with pint and kept."""
    import json

    from exportdesk.extract import derived

    path = derived.cache_file("unit-scales", ".json", [Path(__file__)], [_pint_stamp()])
    data = derived.read(path)
    if data is not None:
        try:
            table = {k: tuple(v) if v else None for k, v in json.loads(data).items()}
            if table.keys() == UNIT_FORMS.keys():
                return table
        except (ValueError, TypeError, AttributeError) as exc:
            log.info("unit table cache %s unusable (%s); computing it", path, exc)
    built = {form: _unit_scale_with_pint(form) for form in UNIT_FORMS}
    derived.write(path, json.dumps(built).encode())
    return built


def _pint_stamp() -> str:
    """Which pint is installed, without importing it (importlib.metadata alone takes 0.05 s):
    its files are rewritten when it is upgraded, so their time stamp changes."""
    import importlib.util

    spec = importlib.util.find_spec("pint")
    if spec is None or spec.origin is None:
        return "pint not installed"
    stat = Path(spec.origin).stat()
    return f"{spec.origin}:{stat.st_mtime_ns}:{stat.st_size}"


def _unit_scale_with_pint(form: str) -> tuple[float, float, str] | None:
    expr = UNIT_FORMS[form]
    ureg = registry()
    try:
        one = ureg.Quantity(1.0, expr) if not expr[0].isdigit() else ureg(expr)
        zero = ureg.Quantity(0.0, expr) if expr == "degC" else None
        base = one.to_base_units()
    except Exception:  # an unknown spelling is a data error, not a crash
        return None
    offset = float(zero.to_base_units().magnitude) if zero is not None else 0.0
    return float(base.magnitude) - offset, offset, str(base.dimensionality)


def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """``1 150`` / ``1,6`` (list style, decimal comma) or ``1,500.5`` (applicant style);
    ``5 x 10^3`` and the list's lost superscript ``5 x 103``."""
    t = text.replace("−", "-").replace("×", "x").replace("**", "^").strip()
    mant, _, exp = t.partition("x")
    mant = mant.strip().replace(" ", "")
    if decimal_comma:
        if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+", mant):
            mant = mant.replace(".", "")
        mant = mant.replace(",", ".")
    else:
        if re.fullmatch(r"[-+]?\d+,\d{1,2}", mant):  # "1,6" written European style
            mant = mant.replace(",", ".")
        mant = mant.replace(",", "")
    try:
        value = float(mant)
    except ValueError:
        return None
    if exp:
        e = exp.replace(" ", "").lstrip("^")
        if not e.startswith("10"):
            return None
        power = e[2:].lstrip("^") or "1"
        try:
            value *= 10 ** int(power)
        except ValueError:
            return None
    return value


_ACCEL_CONTEXT = re.compile(
    r"accelero|accelerat|vibrat|shock|g rms|g peak|inertial|gyro|bias|imu|ahrs|centrifug", re.I
)
# Dimensions whose values may be negative (temperatures in base units are not).
_SIGNED = {"[decibel]", "[dbm]", "[dbc]", "[db_re_upa]", "[temperature]"}
_MULT = {"million": 1e6, "billion": 1e9, "thousand": 1e3}


# Counts of things the lists set limits on ("two or more axes", "more than four axes") and
# applicants state ("single-axis", "5-axis", "4 simultaneously interpolated axes"). The
# quantity ends with its number, so a comparator after it ("two or more axes") is read.
_COUNT_WORDS = {
    "one": 1, "single": 1, "two": 2, "dual": 2, "twin": 2, "three": 3, "triple": 3,
    "four": 4, "quad": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_COUNT_NOUNS = {"axis": "[axis]", "axes": "[axis]", "channel": "[channel]", "channels": "[channel]"}
_COUNT = re.compile(
    r"(?<![\w.,-])(?P<n>\d{1,2}|" + "|".join(_COUNT_WORDS) + r")"
    r"(?P<gap>(?:\s+or\s+(?:more|fewer|less))?(?:[\s-]+(?!and\b|or\b|of\b)[a-z]+){0,2}?)"
    r"[\s-]+(?P<noun>axis|axes|channels?)\b",
    re.IGNORECASE,
)


# Ballistic protection levels of NIJ 0101.06 / 0108.01, in their order (an ordinal scale):
# "equal to or less than level IIIA (NIJ 0101.06)" in the list, "NIJ Level IV plates" in a
# description, "NIJ Type IV" in the USML. A level counts only with NIJ, ballistic or armour
# nearby.
NIJ_LEVELS = {"I": 1.0, "IIA": 2.0, "II": 3.0, "IIIA": 4.0, "III": 5.0, "IV": 6.0}
NIJ_DIM = "[nij_level]"
_NIJ = re.compile(
    r"\b(?:(?i:level|type)|NIJ(?:\s+0101\.0\d|\s+0108\.01)?(?:,?\s+(?i:level|type))?)"
    r"\s+(IIIA|III|IIA|II|IV|I)\b(?!-)"
)
_NIJ_CONTEXT = re.compile(r"\bNIJ\b|ballistic|armou?r", re.I)


def find_nij_levels(text: str) -> list[Quantity]:
    out = []
    for m in _NIJ.finditer(text):
        near = text[max(0, m.start() - 80) : m.end() + 40]
        if not _NIJ_CONTEXT.search(near):
            continue
        v = NIJ_LEVELS[m.group(1)]
        out.append(Quantity(v, v, NIJ_DIM, m.group(0), m.start(), m.end()))
    return out


# Calibres as ammunition is named: "7.62 x 51 mm" (calibre x case length), ".50 BMG",
# ".308 Win", ".22 LR" (hundredths or thousandths of an inch), "12 gauge" (bore of a
# shotgun: a ball of 1/12 lb of lead). Each gives the calibre as a length.
_CARTRIDGE = re.compile(
    r"(?<![\w.])(?P<cal>\d{1,2}(?:[.,]\d{1,2})?)\s?[x×]\s?(?P<case>\d{2,3})(?:\s?[A-Z]+)?\s?mm\b"
)
_INCH_CAL = re.compile(
    r"(?<![\w.])\.(?P<cal>\d{2,3})\s?(?=(?:-?cal(?:ibre|iber)?\b|BMG|Win|Winchester|LR|Magnum|"
    r"Mag\b|Lapua|ACP|Special|Rem\b|Remington|NATO|S&W|Auto\b|Norma|Creedmoor|H&H))",
)
_GAUGE = re.compile(r"(?<![\w.])(?P<g>\d{1,2})[\s-]?(?:gauge|ga\b|bore\b)", re.I)


_AMMO_CONTEXT = re.compile(
    r"ammuni|cartridge|\bround|rifle|pistol|handgun|carbine|gun\b|guns\b|shotgun|weapon|"
    r"NATO|\bball\b|bullet|calib(?:re|er)|Parabellum|\bPara\b|FMJ|smooth-bore|slug|shell|"
    r"buckshot|magnum|firearm",
    re.I,
)


def _ammo_near(text: str, m: re.Match) -> bool:
    return bool(_AMMO_CONTEXT.search(text[max(0, m.start() - 60) : m.end() + 60]))


def find_calibres(text: str) -> list[Quantity]:
    out = []
    for m in _CARTRIDGE.finditer(text):
        if not _ammo_near(text, m):
            continue
        cal, case = float(m.group("cal").replace(",", ".")), float(m.group("case"))
        if cal < case:
            v = cal / 1000.0
            out.append(Quantity(v, v, "[length]", m.group(0), m.start(), m.end()))
    for m in _INCH_CAL.finditer(text):
        v = float("0." + m.group("cal")) * 0.0254
        out.append(Quantity(v, v, "[length]", m.group(0).strip(), m.start(), m.end()))
    for m in _GAUGE.finditer(text):
        if not _ammo_near(text, m):
            continue
        g = int(m.group("g"))
        if g > 0:
            v = 1.669 / g ** (1 / 3) * 0.0254
            out.append(Quantity(v, v, "[length]", m.group(0), m.start(), m.end()))
    return out


def find_counts(text: str) -> list[Quantity]:
    """Counts of axes and channels, as quantities of their own dimension."""
    out = []
    for m in _COUNT.finditer(text):
        n = m.group("n").lower()
        value = float(_COUNT_WORDS[n] if n in _COUNT_WORDS else int(n))
        dim = _COUNT_NOUNS[m.group("noun").lower()]
        out.append(Quantity(value, value, dim, m.group(0), m.start(), m.end("n")))
    return out


def find_quantities(text: str, decimal_comma: bool = False) -> list[Quantity]:
    """Every number-with-unit in ``text`` (ranges kept as low..high), in base units, and
    counts of axes and channels."""
    out: list[Quantity] = []
    accel = bool(_ACCEL_CONTEXT.search(text))
    for m in _QTY.finditer(text):
        form = m.group("unit").lower().replace("μ", "µ")
        if (
            form in _BARE_RISKY
            and m.group("unit") != m.group("unit").lower()
            and form
            in {
                "m",
                "s",
                "g",
                "h",
                "l",
                "t",
            }
        ):
            continue  # "5 M", "10 S": not metres or seconds
        if form == "g" and accel:
            form = "g rms"
        elif form in {"µg", "ug"} and accel:
            form = "micro g"
        elif form == "mg" and accel:
            form = "mg accel"
        scale = unit_scale(form)
        if scale is None:
            continue
        factor, offset, dim = scale
        n1 = parse_number(m.group("n1"), decimal_comma)
        if n1 is None:
            continue
        mult = _MULT[m.group("mult").strip().lower()] if m.group("mult") else 1.0
        if m.group("u1"):  # "20 MHz-6 GHz": each end in its own unit
            first = unit_scale(m.group("u1").lower().replace("μ", "µ"))
            n3 = parse_number(m.group("n3"), decimal_comma)
            if first is None or first[2] != dim or n3 is None:
                continue
            lo, hi = n1 * first[0] + first[1], n3 * factor + offset
        else:
            n2 = parse_number(m.group("n2"), decimal_comma) if m.group("n2") else None
            if m.group("range") == "and" and n2 is None:
                continue
            if m.group("range") == "-" and n2 is not None and n1 > n2 >= 0:
                n2 = abs(n2)
            lo = n1 * mult * factor + offset
            hi = (n2 * mult * factor + offset) if n2 is not None else lo
        if dim not in _SIGNED:
            lo, hi = abs(lo), abs(hi)
        out.append(Quantity(min(lo, hi), max(lo, hi), dim, m.group(0).strip(), m.start(), m.end()))
    calibres = find_calibres(text)
    # "7.62 x 51 mm": the calibre replaces the case length read as "51 mm".
    out = [q for q in out if not any(c.start <= q.start < c.end for c in calibres)]
    taken = [(q.start, q.end) for q in out]
    for q in find_counts(text) + find_nij_levels(text) + calibres:
        if not any(a <= q.start < b for a, b in taken):
            out.append(q)
    out.sort(key=lambda q: q.start)
    return out
