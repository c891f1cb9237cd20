"""Build script: turns the shared reference parses into the catalogue files the product owns.

Run ``python -m exportdesk.classify.build_catalogues [--reference DIR]``. This is the only
module that reads the shared reference folder; the product reads only what it writes:
``classify/catalogues/<name>.jsonl``, ``editions.json``, ``build_report.json`` and
``classify/trainingdata/labelled_examples.jsonl``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from exportdesk.classify.repairs import (
    merge_continued,
    split_ccl_items,
    split_first_level,
    squash,
    stub_reason,
    token_diff,
)

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "catalogues"
TRAIN_DIR = HERE / "trainingdata"
DEFAULT_REFERENCE = Path("/work/shared/reference")

# Below this similarity the 2025 Wassenaar wording is flagged as possibly changed.
WASSENAAR_DIFF_THRESHOLD = 0.90

EDITIONS = {
    "eu-dual-use": {
        "edition": "Regulation (EU) 2021/821 Annex I, 2021 text",
        "date": "2021-05-20",
        "source": "eu-dual-use-2021/eu_annex1_2021_entries.jsonl (parsed from the Annex I text "
        "in safetecnordic/export-control); 2025 Wassenaar wording compared from "
        "wassenaar/wassenaar_dual_use_list_2025.jsonl",
        "licence": "© European Union, reuse authorised (Commission Decision 2011/833/EU)",
        "caveat": "Later delegated regulations (2022-2024) are not included; entries whose "
        "Wassenaar 2025 wording differs carry wassenaar_2025.differs = true.",
    },
    "eu-military": {
        "edition": "Wassenaar Arrangement Munitions List 2025 Corr. (WA-LIST (25) 1 Corr.), "
        "EU Common Military List numbering",
        "date": "2026-01-15",
        "source": "wassenaar/wassenaar_munitions_list_2025.jsonl (parsed from the official PDF)",
        "licence": "Wassenaar Arrangement public document; no explicit reuse licence stated",
        "caveat": "The EU Common Military List follows this wording with a lag; "
        "numbering ML1-ML22 is identical.",
    },
    "us-ccl": {
        "edition": "15 CFR Part 774 Supplement No. 1 (Commerce Control List), eCFR",
        "date": "2026-06",
        "source": "us-ccl/us_ccl_catalogue.jsonl (reshaped from the official eCFR XML)",
        "licence": "US Government work, public domain (17 U.S.C. 105)",
        "caveat": "NOT_LISTED corresponds to EAR99 (not an ECCN).",
    },
    "us-usml": {
        "edition": "22 CFR 121.1 (United States Munitions List), eCFR",
        "date": "2025-08-28",
        "source": "us-usml/usml_22cfr121_1_2025-08-28.jsonl (parsed from the eCFR HTML)",
        "licence": "US Government work, public domain (17 U.S.C. 105)",
        "caveat": "",
    },
}

_NOTE_SPLIT = re.compile(
    r"(?=\b(?:N\.B\.\s*\d*\.?|Technical Notes?:?|Notes?\s*\d*\s*:|Note\s+(?:ML)?\d))"
)


def _heading_and_notes(lead: str) -> tuple[str, list[str]]:
    """The lead-in text of an entry splits into its heading and its notes / N.B.s."""
    parts = [p.strip() for p in _NOTE_SPLIT.split(lead) if p.strip()]
    if not parts:
        return "", []
    return parts[0], parts[1:]


def _entry(
    catalogue: str,
    code: str,
    parent: str | None,
    level: int,
    title: str,
    text: str,
    notes: list[str] | None = None,
    **extra,
) -> dict:
    row = {
        "catalogue": catalogue,
        "code": code,
        "parent": parent,
        "level": level,
        "title": squash(title),
        "text": squash(text),
        "notes": [squash(n) for n in (notes or []) if squash(n)],
        "edition": EDITIONS[catalogue]["edition"],
    }
    row.update({k: v for k, v in extra.items() if v not in (None, False, [], "")})
    return row


def _subitem_rows(catalogue: str, code: str, items, old_children: set[str], report: Counter):
    rows = []
    for item in items:
        sub = f"{code}.{item.letter}"
        if sub not in old_children:
            report["subitems_split"] += 1
        title = re.split(r"(?<=[;:])\s", item.text, maxsplit=1)[0]
        rows.append(
            _entry(
                catalogue,
                sub,
                code,
                2,
                title,
                item.text,
                reserved=bool(re.match(r"^(not used|\[reserved\])", item.text, re.I)),
            )
        )
    return rows


def build_eu_dual_use(ref: Path, report: Counter) -> list[dict]:
    src = [json.loads(x) for x in (ref / "eu-dual-use-2021/eu_annex1_2021_entries.jsonl").open()]
    tops = [r for r in src if r["level"] == 1]
    old_children = {r["code"] for r in src if r["level"] == 2}
    merged, joined = merge_continued(tops)
    report["continued_fragments_joined"] += joined
    wa = _wassenaar_dual_use(ref)
    rows: list[dict] = []
    for m in merged:
        head = m.head
        code = head["code"]
        known = sum(c.rsplit(".", 1)[0] == code for c in old_children)
        lead, items = split_first_level(m.fragments, known)
        heading, notes = _heading_and_notes(lead)
        title = head.get("title") or heading
        if not title and items:
            # The source lost the heading (the text starts at "a."): say so rather than
            # leave the entry untitled, and borrow the first item's opening words.
            title = "[heading missing in source] " + re.split(r"[,;:]", items[0].text)[0]
            report["missing_titles_marked"] += 1
        stub = stub_reason(title, "\n".join(m.fragments))
        if stub:
            report["stubs_marked"] += 1
        extra = {
            "category_title": head.get("category_title"),
            "product_group_title": head.get("product_group_title"),
            "stub": stub,
        }
        if len(m.fragments) > 1:
            extra["repairs"] = [f"joined {len(m.fragments) - 1} page-break fragment(s)"]
        if code in wa:
            sim = token_diff("\n".join(m.fragments), wa[code])
            differs = sim < WASSENAAR_DIFF_THRESHOLD
            report["wassenaar_2025_compared"] += 1
            report["wassenaar_2025_differs"] += int(differs)
            extra["wassenaar_2025"] = {
                "differs": differs,
                "similarity": round(sim, 3),
                "text": squash(wa[code]) if differs else "",
            }
        rows.append(
            _entry("eu-dual-use", code, None, 1, title, "\n".join(m.fragments), notes, **extra)
        )
        rows.extend(_subitem_rows("eu-dual-use", code, items, old_children, report))
    return rows


def _wassenaar_dual_use(ref: Path) -> dict[str, str]:
    """Full 2025 Wassenaar wording by EU-style code: entry text plus its sub-entries.

    The 2025 parse stores sub-entries as separate records, so an entry's wording is
    reassembled in source order. References in Wassenaar notation (3.A.1.a.) are
    rewritten in EU notation (3A001.a) so that notation alone never counts as a change.
    """
    texts, _titles, complete = _wassenaar_2025_entries(ref)
    return {c: t for c, t in texts.items() if complete.get(c)}


def _wassenaar_2025_entries(
    ref: Path,
) -> tuple[dict[str, str], dict[str, str], dict[str, bool]]:
    """Wording (EU notation), heading and completeness of every 2025 top-level entry."""
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    complete: dict[str, bool] = {}
    for line in (ref / "wassenaar/wassenaar_dual_use_list_2025.jsonl").open():
        r = json.loads(line)
        code = r.get("code_eccn_style") or ""
        top = code.split(".")[0]
        if not re.fullmatch(r"\d[A-E]\d{3}", top):
            continue
        texts.setdefault(top, []).append(r["text"])
        if code == top:
            titles[top] = r.get("title") or ""
            complete[top] = r.get("text_completeness") == "full"
    return {c: _eu_notation(" ".join(t)) for c, t in texts.items()}, titles, complete


# A later edition kept beside the product's catalogues, only for `exportdesk catalogues diff`.
COMPARE_DIR = OUT_DIR / "compare"
WASSENAAR_2025 = {
    "name": "wassenaar-dual-use-2025",
    "catalogue": "wassenaar-dual-use",
    "edition": "Wassenaar Arrangement List of Dual-Use Goods and Technologies 2025 Corr. "
    "(WA-LIST (25) 1 Corr.)",
    "date": "2026-01-15",
    "source": "wassenaar/wassenaar_dual_use_list_2025.jsonl (sanbo's parse, reassembled per "
    "entry); entry codes cross-checked against wassenaar_list_2025_corr.txt",
    # Wassenaar covers categories 1-9 and entry numbers 001-099; EU-only entries (category 0,
    # x1nn MTCR, x2nn NSG, x3nn AG/CWC, x9nn) are outside it.
    "scope": {"categories": "123456789", "numbers": [1, 99]},
    "replaces": "eu-dual-use",
}
_WA_HEADING = re.compile(r"^\s{0,3}(\d)\.\s?([A-E])\.\s?(\d{1,3})\.(?:\s+\S.*)?$")
_WA_GROUP = re.compile(r"^\s{0,3}(\d)\.\s?([A-E])\.\s+[A-Z]{4,}")
_WA_BARE_NUMBER = re.compile(r"^\s{4,10}(\d{1,3})\.\s{2,}\S")
_WA_BARE_WINDOW = 6  # lines


def build_wassenaar_2025(ref: Path, report: Counter) -> tuple[list[dict], dict]:
    """Every top-level 2025 Wassenaar dual-use entry with its full wording where parsed.

    Entries whose parse is only a heading or a stub are kept with ``complete: false``; codes
    that head an entry in the PDF text but are missing from the parse are listed in the
    metadata, so a diff never calls them removed.
    """
    texts, titles, complete = _wassenaar_2025_entries(ref)
    named = _wassenaar_2025_codes(ref / "wassenaar/wassenaar_list_2025_corr.txt")
    rows = [
        {
            "catalogue": WASSENAAR_2025["catalogue"],
            "code": code,
            "title": squash(titles.get(code, "")),
            "text": squash(texts[code]),
            "complete": complete.get(code, False),
            "edition": WASSENAAR_2025["edition"],
        }
        for code in sorted(texts)
    ]
    report["wassenaar_2025_entries"] = len(rows)
    report["wassenaar_2025_incomplete"] = sum(not r["complete"] for r in rows)
    meta = {
        **WASSENAAR_2025,
        "entries": len(rows),
        "incomplete": sorted(r["code"] for r in rows if not r["complete"]),
        "named_in_text_not_parsed": sorted(named - set(texts)),
    }
    return rows, meta


def _wassenaar_2025_codes(path: Path) -> set[str]:
    """Entry codes that head an entry in the PDF text of the dual-use list.

    Most entries start "1. A. 4.  text"; some groups list later entries by number alone
    under the group heading ("1. D. SOFTWARE" / "1. D. 1. ..." / "       2.   ..."), so a bare
    number counts when it is the next in the group's sequence.
    """
    named: set[str] = set()
    group, last, at = None, 0, 0
    for number, line in enumerate(path.open()):
        if "MUNITIONS LIST" in line and named:
            break  # the dual-use list ends here; later sections repeat codes
        m = _WA_HEADING.match(line)
        if m:
            group, last, at = f"{m[1]}{m[2]}", int(m[3]), number
            named.add(f"{group}{last:03d}")
            continue
        g = _WA_GROUP.match(line)
        if g:
            group, last, at = f"{g[1]}{g[2]}", 0, number
            continue
        n = _WA_BARE_NUMBER.match(line)
        # Only close after the previous entry began: a numbered sub-item deep inside an
        # entry must not pass for the next entry.
        if group and n and int(n[1]) == last + 1 and number - at <= _WA_BARE_WINDOW:
            last, at = int(n[1]), number
            named.add(f"{group}{last:03d}")
    return named


def _eu_notation(text: str) -> str:
    return re.sub(r"\b(\d)\.([A-E])\.(\d{1,3})\b", lambda m: f"{m[1]}{m[2]}{int(m[3]):03d}", text)


def build_eu_military(ref: Path, report: Counter) -> list[dict]:
    """The munitions list parse split its sub-items well; its defect is the notes, where
    later sub-item text leaked in (ML9, ML13). Sub-items are therefore kept from the parse,
    and notes are re-read from the lead-in text before ``a.`` only."""
    src = [json.loads(x) for x in (ref / "wassenaar/wassenaar_munitions_list_2025.jsonl").open()]
    subs: dict[str, list[dict]] = {}
    for r in src:
        if r["level"] == 2:
            subs.setdefault(r["parent"], []).append(r)
    rows: list[dict] = []
    for head in (r for r in src if r["level"] == 1):
        lead, _items = split_first_level([head["text"]], len(head.get("children") or []))
        heading, notes = _heading_and_notes(lead)
        if len(notes) != len(head.get("notes") or []):
            report["munitions_notes_reread"] += 1
        rows.append(
            _entry(
                "eu-military", head["code"], None, 1, head["title"] or heading, head["text"], notes
            )
        )
        for sub in subs.get(head["code"], []):
            text = re.sub(r"^\s*[a-z]\.\s+", "", sub["text"])
            title = re.split(r"(?<=[;:])\s", squash(text), maxsplit=1)[0]
            rows.append(
                _entry(
                    "eu-military",
                    sub["code"],
                    head["code"],
                    2,
                    title,
                    text,
                    reserved=bool(re.match(r"^\s*not used", text, re.I)),
                )
            )
    return rows


_CCL_SECTION = re.compile(
    r"^(Related Controls:|Related Definitions:|Items:|Technical Notes?:|Note:)", re.MULTILINE
)


def _ccl_sections(text: str) -> dict[str, str]:
    """The pieces of an ECCN's text we keep: related controls, definitions and items."""
    start = text.find("List of Items Controlled")
    body = text[start:] if start >= 0 else ""
    marks = list(re.finditer(r"^(Related Controls|Related Definitions|Items):", body, re.M))
    out = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        out[m.group(1)] = body[m.end() : end].strip()
    return out


def build_us_ccl(ref: Path, report: Counter) -> list[dict]:
    rows: list[dict] = []
    for line in (ref / "us-ccl/us_ccl_catalogue.jsonl").open():
        r = json.loads(line)
        code = r["code"]
        title = re.sub(rf"^{code}\s+", "", r["title"])
        sec = _ccl_sections(r["text"])
        items_text = sec.get("Items", "")
        items = split_ccl_items(items_text)
        notes = (
            [f"Related Controls: {sec['Related Controls']}"] if sec.get("Related Controls") else []
        )
        if sec.get("Related Definitions"):
            notes.append(f"Related Definitions: {sec['Related Definitions']}")
        text = (
            f"{title}\n{items_text}" if items_text else r["text"].split("License Requirements")[0]
        )
        stub = stub_reason(title, re.sub(rf"^{code}\s+", "", r["text"]))
        report["stubs_marked"] += int(bool(stub))
        rows.append(
            _entry(
                "us-ccl",
                code,
                None,
                1,
                title,
                text,
                notes,
                category_title=r.get("category_title"),
                product_group_title=r.get("product_group_title"),
                reason_for_control=r.get("reason_for_control"),
                series=r.get("series"),
                stub=stub,
            )
        )
        rows.extend(_subitem_rows("us-ccl", code, items, set(), Counter()))
    return rows


def build_us_usml(ref: Path, report: Counter) -> list[dict]:
    src = [json.loads(x) for x in (ref / "us-usml/usml_22cfr121_1_2025-08-28.jsonl").open()]
    children: dict[str, list[str]] = {}
    for r in src:
        if r["parent"]:
            children.setdefault(r["parent"], []).append(r["title"])
    parent_of = {r["code"]: r["parent"] for r in src}

    def depth(code: str) -> int:
        # Level from the parent chain: the parse numbers some paragraphs by their marker
        # style (roman = 3) even where a roman paragraph sits directly under a letter.
        return 1 if parent_of[code] is None else depth(parent_of[code]) + 1

    rows: list[dict] = []
    for r in src:
        text = r["text"]
        if depth(r["code"]) != r["level"] + 1:
            report["usml_levels_repaired"] += 1
        if r["level"] == 0:
            # Category records carry only "Category I—Firearms ..."; the paragraphs carry
            # the substance, so the category text is rebuilt from its letter paragraphs.
            text = f"{r['title']}. " + " ".join(children.get(r["code"], []))
            report["usml_category_stubs_filled"] += 1
        rows.append(
            _entry(
                "us-usml",
                r["code"],
                r["parent"],
                depth(r["code"]),
                r["title"],
                text,
                r.get("notes"),
                sme=r.get("sme"),
                mt=r.get("mt"),
                reserved=r.get("reserved"),
            )
        )
    return rows


def build_labelled_examples(ref: Path, eu_codes: set[str]) -> list[dict]:
    """Reshape the published labelled examples into training rows (description + labels)."""
    base = ref / "labelled-examples"
    out: list[dict] = []
    for row in csv.DictReader((base / "invoices/invoice_line_items_eccn.csv").open()):
        eu = "NOT_LISTED" if row["eu_control"].lower().startswith("not") else None
        us = "NOT_LISTED" if row["eccn"].upper() == "EAR99" else row["eccn"]
        out.append(
            {
                "description": row["description"],
                "eu": eu,
                "us": us,
                "source": "labelled-examples/invoices",
            }
        )
    seen = set()
    for row in csv.DictReader((base / "apache-eccn-matrix/apache_eccn_matrix_flat.csv").open()):
        if row["eccn"] != "5D002" or row["product"] in seen:
            continue
        seen.add(row["product"])
        crypto = "; ".join(
            s.split(":")[1].split("<")[0].strip()
            for s in row["controlled_sources"].split(" | ")
            if ":" in s
        )[:200]
        out.append(
            {
                "description": f"{row['product']} open-source software, uses {crypto}",
                "eu": None,
                "us": "5D002",
                "source": "labelled-examples/apache-eccn-matrix",
            }
        )
    data = json.loads((base / "sanbo_validated_queries_151.json").read_text())
    queries = next(v for v in data.values() if isinstance(v, list))
    for q in queries:
        label = (q.get("primary_label") or "").removeprefix("ECCN-")
        if q.get("lang") != "en" or not re.fullmatch(r"\d[A-E]\d{3}", label):
            continue
        out.append(
            {
                "description": q["query"],
                "eu": label if label in eu_codes else None,
                "us": label,
                "source": "labelled-examples/sanbo_validated_queries",
            }
        )
    return out


def check(rows: list[dict]) -> None:
    """Every code unique, every parent resolvable: the catalogue's two invariants."""
    codes = Counter(r["code"] for r in rows)
    dup = [c for c, n in codes.items() if n > 1]
    if dup:
        raise SystemExit(f"duplicate codes in {rows[0]['catalogue']}: {dup[:10]}")
    bad = [r["code"] for r in rows if r["parent"] and r["parent"] not in codes]
    if bad:
        raise SystemExit(f"unresolvable parents in {rows[0]['catalogue']}: {bad[:10]}")


def build_criteria(out_dir: Path = OUT_DIR) -> dict:
    """Structured criteria of every row (``criteria.py``), from the catalogue files just
    written, with a report of coverage and of the values that could not be read as a
    comparison (a number with a unit but no comparator the parser knows)."""
    from exportdesk.classify.criteria import (
        comparisons_in,
        criteria_text,
        decimal_comma_for,
        parse_row,
    )
    from exportdesk.classify.quantities import find_quantities

    report: dict = {"catalogues": {}}
    us_text = {
        r["code"]: r["text"]
        for r in (json.loads(x) for x in (out_dir / "us-ccl.jsonl").open(encoding="utf-8"))
    }
    with (out_dir / "criteria.jsonl").open("w", encoding="utf-8") as out:
        for name in ("eu-dual-use", "eu-military", "us-ccl", "us-usml"):
            rows = [json.loads(x) for x in (out_dir / f"{name}.jsonl").open(encoding="utf-8")]
            dc = decimal_comma_for(name)
            stats: Counter = Counter()
            unparsed: list[str] = []
            for r in rows:
                if r.get("reserved"):
                    continue
                text = criteria_text(name, r["text"], us_text.get(r["code"], ""))
                tree = parse_row(r["code"], text, dc)
                clauses = list(tree.walk())
                n_cmp = sum(len(c.comparisons) for c in clauses)
                n_cas = sum(len(c.cas) for c in clauses)
                key = "sub_paragraphs" if r["level"] > 1 else "entries"
                stats[key] += 1
                stats[f"{key}_with_criteria"] += bool(n_cmp or n_cas)
                stats["clauses"] += len(clauses)
                stats["clauses_with_comparisons"] += sum(bool(c.comparisons) for c in clauses)
                stats["comparisons"] += n_cmp
                stats["cas_numbers"] += n_cas
                stats["exclusion_notes"] += sum(len(c.excludes) for c in clauses)
                for c in clauses:
                    got = len(comparisons_in(c.text, dc))
                    found = find_quantities(c.text, dc)
                    if len(found) > got:
                        stats["values_without_comparator"] += len(found) - got
                        if len(unparsed) < 40:
                            unparsed.append(f"{c.path}: {c.text[:160]}")
                out.write(
                    json.dumps(
                        {"catalogue": name, "code": r["code"], "tree": tree.to_json()},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            report["catalogues"][name] = {**dict(stats), "unparsed_examples": unparsed}
    (out_dir / "criteria_report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report


def build_fallbacks() -> int:
    """The catch-all map (``fallbacks.py``) from the catalogue files just written."""
    from exportdesk.classify import fallbacks
    from exportdesk.classify.catalogue import load_entries, load_rows

    load_rows.cache_clear()
    load_entries.cache_clear()
    n = fallbacks.write(load_entries())
    print(f"{fallbacks.FALLBACKS_FILE}: {n} catch-all links", file=sys.stderr)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument(
        "--criteria-only",
        action="store_true",
        help="only re-derive catalogues/criteria.jsonl and fallbacks.jsonl from the committed "
        "catalogue files",
    )
    args = ap.parse_args(argv)
    if args.criteria_only:
        rep = build_criteria()
        for name, st in rep["catalogues"].items():
            print(name, {k: v for k, v in st.items() if k != "unparsed_examples"}, file=sys.stderr)
        build_fallbacks()
        return 0
    ref: Path = args.reference
    OUT_DIR.mkdir(exist_ok=True)
    TRAIN_DIR.mkdir(exist_ok=True)
    report: Counter = Counter()
    builders = {
        "eu-dual-use": build_eu_dual_use,
        "eu-military": build_eu_military,
        "us-ccl": build_us_ccl,
        "us-usml": build_us_usml,
    }
    editions = {}
    eu_codes: set[str] = set()
    for name, build in builders.items():
        rows = build(ref, report)
        check(rows)
        if name == "eu-dual-use":
            eu_codes = {r["code"] for r in rows if r["level"] == 1}
        with (OUT_DIR / f"{name}.jsonl").open("w") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        editions[name] = {
            **EDITIONS[name],
            "entries": sum(r["level"] == 1 for r in rows),
            "rows": len(rows),
        }
        print(f"{name}: {len(rows)} rows", file=sys.stderr)
    (OUT_DIR / "editions.json").write_text(json.dumps(editions, indent=2, ensure_ascii=False))
    wa_rows, wa_meta = build_wassenaar_2025(ref, report)
    COMPARE_DIR.mkdir(exist_ok=True)
    with (COMPARE_DIR / f"{wa_meta['name']}.jsonl").open("w") as fh:
        for r in wa_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    (COMPARE_DIR / f"{wa_meta['name']}.json").write_text(
        json.dumps(wa_meta, indent=2, ensure_ascii=False)
    )
    (OUT_DIR / "build_report.json").write_text(json.dumps(dict(report), indent=2))
    labelled = build_labelled_examples(ref, eu_codes)
    with (TRAIN_DIR / "labelled_examples.jsonl").open("w") as fh:
        for r in labelled:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(json.dumps(dict(report)), f"labelled examples: {len(labelled)}", file=sys.stderr)
    build_criteria()
    build_fallbacks()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
