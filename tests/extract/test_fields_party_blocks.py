"""Party boxes that broke on outside layouts: sub-label grids, cross-references, wrapped names."""

from __future__ import annotations

from pagebuilder import lines, page, result

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.model import Word
from exportdesk.extract.references import parse_reference


def _parties(*cells_per_page: list) -> dict[str, list]:
    r = result(*(page(cells, number=i + 1) for i, cells in enumerate(cells_per_page)))
    extract_fields(r)
    out: dict[str, list] = {}
    for p in r.parties:
        out.setdefault(p.role, []).append(p)
    return out


def _grid_box(x: float, top: float, number: str, role: str, name: str, city: str, country: str):
    """A numbered role box whose fields are sub-label / value pairs on rows with room to write."""
    return [
        (x, top, f"{number}. {role}"),
        (x, top + 12, "NAME"),
        (x + 60, top + 12, name),
        (x, top + 32, "ADDRESS"),
        (x + 60, top + 32, "Lindenweg 4"),
        (x, top + 52, "CITY"),
        (x + 60, top + 52, city),
        (x + 140, top + 52, "POSTAL CODE"),
        (x + 200, top + 52, "4711"),
        (x, top + 62, "STATE/PROVINCE"),
        (x + 140, top + 62, "COUNTRY"),
        (x + 200, top + 62, country),
    ]


def test_sub_labels_in_a_role_block_are_not_the_party_name():
    cells = _grid_box(30, 100, "14", "APPLICANT", "Quellwerk Optics Ltd", "Leeds", "GB")
    cells += _grid_box(
        310, 100, "15", "ULTIMATE CONSIGNEE", "Ostrava Lasertech s.r.o.", "Ostrava", "Czechia"
    )
    found = _parties(cells)
    assert [p.name for p in found["applicant"]] == ["Quellwerk Optics Ltd"]
    assert found["applicant"][0].country == "GB"
    assert "Lindenweg 4" in (found["applicant"][0].address or "")
    assert [p.name for p in found["consignee"]] == ["Ostrava Lasertech s.r.o."]
    assert found["consignee"][0].country == "CZ"


def test_empty_sub_label_block_gives_no_party():
    cells = _grid_box(30, 100, "14", "APPLICANT", "Quellwerk Optics Ltd", "Leeds", "GB")
    cells += [(310, 100, "16. PURCHASER"), (310, 112, "NAME"), (310, 132, "ADDRESS")]
    found = _parties(cells)
    assert "purchaser" not in found
    assert all(p.name.upper() not in {"NAME", "ADDRESS"} for ps in found.values() for p in ps)


def test_reference_to_another_box_resolves_to_that_party_with_evidence_at_both():
    cells = [
        (40, 100, "1"),
        (52, 100, "Applicant"),
        *lines(40, 114, ["Holm Sensorteknik AB", "Storgatan 3", "SE-111 22 Stockholm", "Sweden"]),
        (300, 100, "2"),
        (312, 100, "Consignee"),
        *lines(300, 114, ["Tagus Optica Lda.", "Rua Augusta 9", "1100-048 Lisboa", "Portugal"]),
        (40, 200, "3"),
        (52, 200, "End user"),
        (40, 214, "See box 2"),
    ]
    found = _parties(cells)
    end_user = found["end_user"][0]
    assert end_user.name == "Tagus Optica Lda."
    assert end_user.country == "PT"
    tops = sorted(e.bbox[1] for e in end_user.evidence)
    assert tops[0] < 200 <= tops[-1]  # the consignee box and the reference itself
    assert any("See box 2" in (e.text or "") for e in end_user.evidence)


def test_reference_by_role_name_on_an_invoice():
    cells = [
        (45, 150, "BUYER"),
        (308, 150, "SHIP TO / CONSIGNEE"),
        (45, 163, "Rhein Prüftechnik GmbH"),
        (308, 163, "Same as buyer"),
        *lines(45, 173, ["Am Hafen 2", "68159 Mannheim", "Germany"], pitch=10),
    ]
    found = _parties(cells)
    assert [p.name for p in found["consignee"]] == ["Rhein Prüftechnik GmbH"]
    assert found["consignee"][0].country == "DE"


def test_sub_label_reference_to_a_numbered_block():
    cells = _grid_box(
        30, 100, "18", "ULTIMATE CONSIGNEE", "Ostrava Lasertech s.r.o.", "Ostrava", "CZ"
    )
    cells += [(310, 100, "19. END-USER"), (310, 112, "NAME"), (370, 112, "SAME AS BLOCK 18")]
    found = _parties(cells)
    assert [p.name for p in found["end_user"]] == ["Ostrava Lasertech s.r.o."]


def test_printed_same_as_option_with_a_party_written_under_it_keeps_the_party():
    cells = [
        (40, 100, "2"),
        (52, 100, "Consignee"),
        *lines(40, 114, ["Tagus Optica Lda.", "Rua Augusta 9", "Portugal"]),
        (40, 170, "3"),
        (52, 170, "End user (if different from consignee)"),
        *lines(
            50,
            184,
            ["Same as consignee (box 2)", "Douro Instrumentos S.A.", "Rua do Ouro 5", "Portugal"],
        ),
    ]
    found = _parties(cells)
    assert [p.name for p in found["end_user"]] == ["Douro Instrumentos S.A."]


def test_reference_phrases_in_several_languages():
    assert parse_reference("Same as consignee (box 2)") == ("consignee", "2", False)
    assert parse_reference("idem") == (None, None, True)
    assert parse_reference("siehe Feld 3") == (None, "3", False)
    assert parse_reference("voir case 4") == (None, "4", False)
    assert parse_reference("as above") == (None, None, True)
    assert parse_reference("Samsung Electronics") is None
    assert parse_reference("Seeburg Optik GmbH") is None


def test_name_wrapped_after_a_connector_is_joined():
    cells = [
        (40, 100, "Consignee"),
        *lines(
            40,
            114,
            ["Departamento de Física – Universidade de", "Coimbra", "Rua Larga 3", "Portugal"],
        ),
    ]
    found = _parties(cells)
    assert found["consignee"][0].name == "Departamento de Física – Universidade de Coimbra"


def test_letterhead_in_a_large_font_is_read_as_one_name():
    big = []
    x = 40.0
    for w in ["Vinterberg", "Antriebe", "AG"]:
        width = len(w) * 16 * 0.5
        big.append(Word(text=w, x0=x, top=40, x1=x + width, bottom=56, source="text_layer"))
        x += width + 16 * 0.3
    p = page(
        [
            *lines(40, 62, ["Seestrasse 17", "CH-8002 Zürich", "SWITZERLAND"]),
            (45, 160, "BUYER"),
            *lines(45, 172, ["Lakeside Optics Ltd", "2 Quay St", "Ireland"]),
        ]
    )
    p.words = big + p.words
    r = result(p)
    extract_fields(r)
    applicants = [x for x in r.parties if x.role == "applicant"]
    assert [a.name for a in applicants] == ["Vinterberg Antriebe AG"]
    assert applicants[0].country == "CH"


def test_slash_joined_label_with_an_unlisted_first_word_takes_the_listed_role():
    cells = [
        (45, 100, "NOTIFY / FORWARDING AGENT"),
        (200, 100, "Baltic Cargo Sp. z o.o., ul. Portowa 3, 81-300 Gdynia, Poland"),
    ]
    found = _parties(cells)
    assert [p.name for p in found["intermediate_consignee"]] == ["Baltic Cargo Sp. z o.o."]


def test_purchaser_named_in_a_letter_by_what_it_does():
    text = [
        "The purchase order was placed by Hanbit Photonics Co., Ltd., 18, Pangyo-ro, Seongnam-si,",
        "Republic of Korea, which acts as purchaser on behalf of the end user of the goods listed.",
    ]
    found = _parties(lines(56, 300, text))
    assert [p.name for p in found["purchaser"]] == ["Hanbit Photonics Co., Ltd."]


def test_consignee_that_is_also_the_end_user():
    cells = [
        (40, 100, "Consignee"),
        *lines(40, 114, ["Ostrava Lasertech s.r.o.", "Hlavni 5", "Czech Republic"]),
        *lines(
            40,
            200,
            [
                "The consignee is also the end user of the goods. Its signed end-user certificate",
                "is enclosed together with the schedule of goods and the purchase order.",
            ],
        ),
    ]
    found = _parties(cells)
    assert [p.name for p in found["end_user"]] == ["Ostrava Lasertech s.r.o."]
    assert found["end_user"][0].country == "CZ"


def test_end_use_statement_on_the_end_users_letterhead():
    cells = [
        *lines(40, 45, ["Fjordline Composites AS", "Havnegata 3", "7010 Trondheim", "Norway"]),
        (40, 132, "To:"),
        (70, 132, "Quellwerk Optics Ltd"),
        (200, 178, "END-USER STATEMENT"),
        *lines(
            40,
            230,
            [
                "We hereby confirm that we are the end user of the goods listed in the invoice.",
                "The goods will be used solely in our production line for civil aero-engine parts.",
            ],
        ),
    ]
    found = _parties(cells)
    assert [p.name for p in found["end_user"]] == ["Fjordline Composites AS"]
    assert found["end_user"][0].country == "NO"


def test_country_written_only_as_a_code_in_the_address():
    from exportdesk.extract.parties import parse_party_lines

    assert (
        parse_party_lines(["Lac Léman Métrologie SA", "Route 4", "CH-1227 Genève, CH"])[2] == "CH"
    )
    assert parse_party_lines(["Kattegatt Marin AB", "Kajen 2 · SE-417 56 Göteborg · SE"])[2] == "SE"
    assert parse_party_lines(["Isar Feinwerk GmbH", "Hauptstr. 3", "D-80331 München"])[2] == "DE"
    # US state codes are not countries
    assert parse_party_lines(["Prairie Optics Inc.", "12 Main St", "Springfield, IL"])[2] is None
    assert parse_party_lines(["Mesa Photonics Inc.", "1 Bay Rd", "San Diego, CA"])[2] is None


def test_end_use_section_headed_description_of_the_end_use():
    cells = [
        (40, 100, "8"),
        (52, 100, "Description of the end use of the goods"),
        *lines(
            42,
            114,
            [
                "Lakeside Optics Ltd will install and operate the goods at its plant in Cork,",
                "for production of medical imaging parts. The goods will not be re-exported.",
            ],
        ),
    ]
    r = result(page(cells))
    extract_fields(r)
    assert [e.statement[:19] for e in r.end_use] == ["Lakeside Optics Ltd"]


def test_sub_label_grid_read_with_ocr_damage_keeps_the_country():
    """A scan garbles sub-labels ("CITY" as "cry", "STATE/PROVINCE" as "stareprovince",
    "ADDRESS" as "ADORESS"); the row must still be read as label/value pairs."""
    cells = [
        (30, 100, "14. APPLICANT"),
        (30, 112, "NAME"),
        (90, 112, "Quellwerk Optics Ltd"),
        (30, 132, "ADORESS"),
        (90, 132, "Lindenweg 4"),
        (30, 152, "cry"),
        (90, 152, "Leeds"),
        (170, 152, "posraLcooe"),
        (230, 152, "LS1 4AP"),
        (30, 172, "stareprovince"),
        (90, 172, "West Yorkshire"),
        (170, 172, "COUNTRY"),
        (230, 172, "GB"),
        (30, 200, "15. END USER"),
        (30, 212, "NAME"),
        (90, 212, "Ostrava Lasertech s.r.o."),
        (30, 232, "ADORESS"),
        (90, 232, "Hlavni 12"),
        (30, 252, "cty"),
        (90, 252, "Ostrava"),
        (30, 272, "STATEPROVINCE"),
        (170, 272, "COUNTRV"),
        (230, 272, "Czechia"),
    ]
    found = _parties([(x, t, s) for x, t, s in cells])
    applicant = found["applicant"][0]
    assert applicant.name == "Quellwerk Optics Ltd"
    assert applicant.country == "GB"
    assert "Leeds" in (applicant.address or "")
    end_user = found["end_user"][0]
    assert end_user.name == "Ostrava Lasertech s.r.o."
    assert end_user.country == "CZ"
    assert all(p.name.upper() not in {"ADORESS", "CRY"} for ps in found.values() for p in ps)


def test_letterhead_line_whose_separators_a_scan_lost_keeps_the_country():
    """'Storgatan 3 · 111 22 Stockholm · Sweden' read as three separate segments."""
    cells = [
        (40, 40, "Holm Sensorteknik AB"),
        (40, 56, "Storgatan 3"),
        (100, 56, "111 22 Stockholm"),
        (185, 56, "Sweden"),
        (40, 66, "Tel. +46 8 123 45 67"),
        (40, 120, "Swedish Inspectorate of Strategic Products"),
        (40, 131, "Box 6044, 171 06 Solna"),
        (40, 170, "Dear Sir or Madam,"),
        (40, 190, "We apply for a licence to export the goods listed in the annex to this letter."),
    ]
    found = _parties(cells)
    applicant = found["applicant"][0]
    assert applicant.name == "Holm Sensorteknik AB"
    assert applicant.country == "SE"


def _ocr_words(x: float, top: float, text: str, gap: float = 5.5) -> list[Word]:
    """Words as Tesseract boxes them: tight to the ink (x-height words low), wide gaps."""
    out = []
    for word in text.split():
        tall = any(c.isupper() or c.isdigit() or c in "bdfhklt" for c in word)
        height = 6.6 if tall else 4.6
        width = len(word) * 4.6
        out.append(
            Word(
                text=word,
                x0=x,
                top=top + (0 if tall else 2.0),
                x1=x + width,
                bottom=top + (0 if tall else 2.0) + height,
                source="ocr",
                confidence=0.9,
            )
        )
        x += width + gap
    return out


def test_ocr_word_gaps_do_not_split_a_name_into_fields():
    """Tesseract's boxes hug the ink, so a word space is about one box high: the words of
    a name must stay one value, the gap to the next column must still part them."""
    from pagebuilder import result as make_result

    from exportdesk.extract.model import Page

    words = _ocr_words(40, 100, "BUYER") + _ocr_words(300, 100, "SHIP TO / CONSIGNEE")
    words += _ocr_words(40, 112, "Vaasan Mittaustekniikka Oy")
    words += _ocr_words(300, 112, "Kestrel Optik GmbH")
    words += _ocr_words(40, 124, "Teollisuustie 12") + _ocr_words(300, 124, "Hafenstraße 4")
    words += _ocr_words(40, 136, "FI-65100 Vaasa") + _ocr_words(300, 136, "20457 Hamburg")
    words += _ocr_words(40, 148, "Finland") + _ocr_words(300, 148, "Germany")
    page_ = Page(page=1, source="ocr", width=595, height=842, words=words)
    r = make_result(page_)
    extract_fields(r)
    names = {p.role: p.name for p in r.parties}
    assert names.get("purchaser") == "Vaasan Mittaustekniikka Oy", names
    assert names.get("consignee") == "Kestrel Optik GmbH", names


def test_plural_mark_and_ticked_box_do_not_hide_a_label_or_a_reference():
    cells = [
        (40, 100, "1 Applicant"),
        *lines(40, 114, ["Holm Sensorteknik AB", "Storgatan 3", "SE-111 22 Stockholm", "Sweden"]),
        (300, 100, "2 Consignee"),
        *lines(300, 114, ["Tagus Optica Lda.", "Rua Augusta 9", "1100-048 Lisboa", "Portugal"]),
        (40, 200, "3 End user"),
        (40, 214, "X Same as consignee (box 2)"),
        (300, 200, "4 Intermediate consignee(s) / forwarding agent"),
        *lines(300, 214, ["Rheinhafen Spedition GmbH", "Hafenweg 8", "4057 Basel", "Switzerland"]),
    ]
    found = _parties(cells)
    assert [p.name for p in found["intermediate_consignee"]] == ["Rheinhafen Spedition GmbH"]
    assert found["intermediate_consignee"][0].country == "CH"
    assert [p.name for p in found["end_user"]] == ["Tagus Optica Lda."]


def test_legal_form_misread_by_ocr_still_makes_a_letterhead_party():
    """'plc' read as 'pic' (and 'S.A.' as '5.A.') on a scanned letterhead."""
    from pagebuilder import result as make_result

    from exportdesk.extract.layout import _legal_form_read_right
    from exportdesk.extract.model import Page

    words = _ocr_words(40, 40, "Pennant Coatings pic")
    words += _ocr_words(40, 54, "Unit 4, Dock Road") + _ocr_words(40, 66, "Swansea SA1 8QX")
    words += _ocr_words(40, 78, "United Kingdom")
    words += _ocr_words(40, 130, "Dear Sir or Madam,")
    words += _ocr_words(40, 146, "We apply for an export licence for the goods in the annex.")
    r = make_result(Page(page=1, source="ocr", width=595, height=842, words=words))
    extract_fields(r)
    applicants = [p for p in r.parties if p.role == "applicant"]
    assert [p.name for p in applicants] == ["Pennant Coatings plc"]
    assert applicants[0].country == "GB"
    assert _legal_form_read_right("5.A.", "Acme") == "S.A."
    assert _legal_form_read_right("Sri", "Colombo,") == "Sri"  # a word, not 'Srl'
    assert _legal_form_read_right("pic", "the") == "pic"  # not after a name


def test_next_numbered_box_beside_an_empty_box_is_not_its_value():
    cells = [
        (40, 100, "1 Applicant"),
        *lines(40, 114, ["Holm Sensorteknik AB", "Storgatan 3", "SE-111 22 Stockholm", "Sweden"]),
        (40, 200, "5 Purchaser (if different from consignee)"),
        (300, 200, "6 Countries"),
        (300, 214, "Country of final destination: Chile"),
    ]
    found = _parties(cells)
    assert "purchaser" not in found, found.get("purchaser")


def test_box_whose_label_the_scan_lost_is_named_by_a_reference_to_it():
    """'2 Consignee' read as '2 C+': 'Same as consignee (box 2)' elsewhere on the page says
    what box 2 is, so its party is still the consignee."""
    cells = [
        (40, 100, "1 Applicant"),
        *lines(40, 114, ["Holm Sensorteknik AB", "Storgatan 3", "SE-111 22 Stockholm", "Sweden"]),
        (300, 100, "2 C+"),
        *lines(300, 114, ["Tagus Optica Lda.", "Rua Augusta 9", "1100-048 Lisboa", "Portugal"]),
        (40, 200, "3 End user"),
        (40, 214, "Same as consignee (box 2)"),
    ]
    found = _parties(cells)
    assert [p.name for p in found["consignee"]] == ["Tagus Optica Lda."]
    assert found["consignee"][0].country == "PT"
    assert [p.name for p in found["end_user"]] == ["Tagus Optica Lda."]


def test_numbered_box_is_not_renamed_when_its_role_already_has_a_box():
    cells = [
        (40, 100, "1 Applicant"),
        *lines(40, 114, ["Holm Sensorteknik AB", "Storgatan 3", "SE-111 22 Stockholm", "Sweden"]),
        (300, 100, "2 Consignee"),
        *lines(300, 114, ["Tagus Optica Lda.", "Rua Augusta 9", "1100-048 Lisboa", "Portugal"]),
        (40, 200, "3 End user"),
        (40, 214, "Same as consignee (box 2)"),
        (300, 200, "2 Remarks"),
        (300, 214, "Delivery in two lots"),
    ]
    found = _parties(cells)
    assert [p.name for p in found["consignee"]] == ["Tagus Optica Lda."]
