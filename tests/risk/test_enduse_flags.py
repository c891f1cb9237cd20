"""Each end-use red flag fires on a small application made to show it, and not on a clean one."""

from __future__ import annotations

import pytest
from riskbuilders import CLEAN_STATEMENT, application, item, party, statement

from exportdesk.risk.enduse import red_flags, sentences


def rules(result) -> list[str]:
    return sorted(w.detail["rule"] for w in red_flags(result))


def clean(**overrides):
    fields = {
        "parties": [
            party("applicant", "Nordlys Optics AS", "NO"),
            party("end_user", "Avinor Radar Services AS", "NO"),
        ],
        "items": [
            item(
                1,
                "Radar receiver module",
                declared="6A008.d",
                suggestion=("eu-dual-use", "6A008", 0.95),
            )
        ],
        "end_use": [statement(CLEAN_STATEMENT)],
    }
    fields.update(overrides)
    return application(**fields)


def test_clean_application_has_no_red_flag() -> None:
    assert rules(clean()) == []


def test_wmd_wording_quotes_the_sentence_but_an_assurance_is_not_a_flag() -> None:
    text = (
        "The pumps are for the uranium enrichment plant at Site 4. We undertake not to "
        "re-export. The goods will not be used for weapons of mass destruction."
    )
    flags = red_flags(clean(end_use=[statement(text)]))
    wmd = [w for w in flags if w.detail["rule"] == "wmd_wording"]
    assert len(wmd) == 1
    assert wmd[0].evidence[0].text == "The pumps are for the uranium enrichment plant at Site 4."
    assert wmd[0].detail["explanation"]


def test_military_end_user_for_dual_use_goods() -> None:
    result = clean(parties=[party("end_user", "Ministry of Defence, Air Force Logistics", "NO")])
    assert "military_end_use" in rules(result)


def test_military_end_use_sentence_in_german() -> None:
    text = CLEAN_STATEMENT + " Die Ware wird von der Bundeswehr im Feldeinsatz verwendet."
    assert "military_end_use" in rules(clean(end_use=[statement(text)]))


def test_military_end_use_is_not_flagged_for_military_items() -> None:
    result = clean(
        parties=[party("end_user", "Norwegian Army", "NO")],
        items=[item(1, "Rifle scope", declared="ML5.a", suggestion=("eu-military", "ML5.a", 0.9))],
    )
    assert "military_end_use" not in rules(result)


def test_any_purpose_inside_an_assurance_is_not_vague() -> None:
    text = (
        CLEAN_STATEMENT + " The goods will not be used for any purpose connected with "
        "weapons of mass destruction."
    )
    assert rules(clean(end_use=[statement(text)])) == []


def test_ballistics_research_is_not_wmd_wording() -> None:
    text = "Ballistics research in the end user's materials laboratory. " + CLEAN_STATEMENT
    assert "wmd_wording" not in rules(clean(end_use=[statement(text)]))


def test_vague_end_use_and_missing_end_use() -> None:
    vague = statement("The goods are for general use in various projects. " + CLEAN_STATEMENT)
    assert "vague_end_use" in rules(clean(end_use=[vague]))
    assert rules(clean(end_use=[])) == ["missing_end_use"]


def test_missing_assurances() -> None:
    bare = statement(
        "The goods are for the airport radar.",
        flags=["missing_no_reexport_assurance", "missing_no_wmd_assurance"],
    )
    assert rules(clean(end_use=[bare])) == [
        "missing_no_reexport_assurance",
        "missing_no_wmd_assurance",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Gulf Star General Trading LLC",
        "Transcargo Freight Forwarding",
        "Spedition Huber GmbH",
        "Import-Export Levant SARL",
    ],
)
def test_trading_company_or_forwarder_as_end_user(name: str) -> None:
    assert "end_user_trading_or_forwarder" in rules(clean(parties=[party("end_user", name)]))


def test_destination_under_arms_embargo_cites_the_dated_table() -> None:
    flags = red_flags(clean(parties=[party("consignee", "Minsk Optics", "BY")]))
    embargo = [w for w in flags if w.detail["rule"] == "arms_embargo"]
    assert len(embargo) == 1 and embargo[0].detail["table_as_of"]
    assert "Belarus" in embargo[0].message


def test_applicant_country_is_not_a_destination() -> None:
    assert rules(clean(parties=[party("applicant", "Moscow Optics", "RU")])) == []


def test_declared_code_contradicting_the_suggestion() -> None:
    said_not_listed = item(
        1, "Thermal weapon sight", declared="EAR99", suggestion=("eu-military", "ML15.c", 0.95)
    )
    assert rules(clean(items=[said_not_listed])) == ["declared_code_contradicts_suggestion"]
    same_kind = item(1, "Gyroscope", declared="7A001", suggestion=("eu-dual-use", "7A003", 0.99))
    assert rules(clean(items=[same_kind])) == []
    unsure = item(
        1, "Thermal weapon sight", declared="EAR99", suggestion=("eu-military", "ML15.c", 0.5)
    )
    assert rules(clean(items=[unsure])) == []


def test_implausible_quantity_for_testing_is_experimental() -> None:
    text = "The cameras are for the evaluation of the new gimbal. " + CLEAN_STATEMENT
    result = clean(
        end_use=[statement(text)],
        items=[
            item(
                1,
                "Thermal camera",
                quantity=5000,
                declared="6A003.b.4",
                suggestion=("eu-dual-use", "6A003", 0.9),
            )
        ],
    )
    flags = [w for w in red_flags(result) if w.detail["rule"] == "implausible_quantity"]
    assert len(flags) == 1 and flags[0].detail["experimental"] is True
    assert len(flags[0].evidence) == 2
    few = clean(
        end_use=[statement(text)],
        items=[item(1, "Thermal camera", quantity=3, declared="6A003.b.4")],
    )
    assert "implausible_quantity" not in rules(few)


def test_sentences_do_not_end_at_legal_form_abbreviations() -> None:
    text = "Principe S.A. de C.V. of Queretaro is the end user. It uses the goods."
    assert sentences(text) == [
        "Principe S.A. de C.V. of Queretaro is the end user.",
        "It uses the goods.",
    ]
