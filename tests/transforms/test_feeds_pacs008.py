"""pacs.008 reader on hand-written messages: versions 001.08 and 001.02, a Fedwire envelope,
and broken or hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.records import Party, QuarantineRow, Transaction
from transforms.feeds import (
    FeedError,
    FileContext,
    detect_format,
    read_feed,
    read_pacs008,
)

BANK = Path(__file__).parent.parent / "fixtures" / "feeds" / "bank"


def ctx(name: str, country: str = "BE") -> FileContext:
    return FileContext(country, "2026-11-27", "bank", f"bank/{name}")


def us(iso: str) -> int:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def read(name: str, country: str = "BE") -> list[Transaction | QuarantineRow]:
    return list(read_pacs008(str(BANK / name), ctx(name, country)))


def summary(rows: list[Transaction | QuarantineRow]) -> list[tuple[str, int, str]]:
    return [
        ("tx", r.source_row, r.tx_id)
        if isinstance(r, Transaction)
        else ("q", r.source_row, r.reason)
        for r in rows
    ]


def test_v08_message_with_ultimate_parties_and_remittance():
    rows = read("pacs008_v08.xml")
    assert summary(rows) == [
        ("tx", 1, "E2E-BE-2026-0001"),
        (
            "tx",
            2,
            "0c4f7a2e-8d31-4b5c-a6e9-7f3b2d1c0e9a",
        ),  # EndToEndId NOTPROVIDED → UETR
        ("q", 3, "missing amount (IntrBkSttlmAmt or InstdAmt)"),
    ]
    assert rows[0] == Transaction(
        country="BE",
        business_date="2026-11-27",
        source_type="bank",
        source_file="bank/pacs008_v08.xml",
        source_row=1,
        tx_id="E2E-BE-2026-0001",
        tx_timestamp_us=us("2026-11-27"),
        amount=18250.0,
        currency="EUR",
        parties=(
            Party(
                "originator",
                "Brouwerij Van Damme NV",
                "BE68539007547034",
                "GEBABEBB",
                "BE",
            ),
            Party(
                "beneficiary",
                "Noordzee Bulk Shipping B.V.",
                "NL20INGB0001234567",
                "INGBNL2A",
                "NL",
            ),
            Party("ultimate_originator", "Van Damme Holding NV", country="BE"),
            Party(
                "ultimate_beneficiary", "Mediterranean Reefer Lines SA", country="GR"
            ),
        ),
        remittance_info="Invoice 2026/1187 demurrage MV Marea Azul IMO 9187629",
        file_format="pacs.008",
    )
    second = rows[1]
    assert isinstance(second, Transaction)
    assert second.tx_timestamp_us == us("2026-11-27T08:30:00+01:00")  # GrpHdr/CreDtTm
    assert second.parties == (
        Party("originator", "Peeters Transport BVBA", "BE86310123456789", "KREDBEBB"),
        Party(
            "beneficiary", "Transports Lefebvre SAS", "00012345678", "BNPAFRPP", "FR"
        ),
    )
    assert second.remittance_info is None
    raw = rows[2].raw_record
    assert raw.startswith("<CdtTrfTxInf>") and raw.endswith("</CdtTrfTxInf>")
    assert "<EndToEndId>E2E-BE-2026-0003</EndToEndId>" in raw and "xmlns" not in raw


def test_v02_prefixed_latin1_message_with_old_bic_and_header_settlement_date():
    rows = read("pacs008_v02.xml", "IT")
    assert summary(rows) == [
        ("tx", 1, "IT-E2E-0001"),
        ("tx", 2, "IT-TX-0002"),  # no EndToEndId → TxId
        ("q", 3, "missing transaction id (PmtId/EndToEndId, UETR or TxId)"),
    ]
    first, second, _ = rows
    assert isinstance(first, Transaction) and isinstance(second, Transaction)
    assert first.tx_timestamp_us == us("2026-11-26")  # GrpHdr/IntrBkSttlmDt
    assert second.tx_timestamp_us == us("2026-11-27")  # its own IntrBkSttlmDt wins
    assert first.parties == (
        Party(
            "originator",
            "Rossi Trasporti SRL",
            "IT60X0542811101000000123456",
            "UNCRITMM",
            "IT",
        ),
        Party(
            "beneficiary",
            "Navieras Peñalver SL",
            "ES9121000418450200051332",
            "CAIXESBB",
            "ES",
        ),
        Party("ultimate_originator", "Gruppo Ferretti SpA"),
        Party("ultimate_beneficiary", "Oceanic Reefer Agency BV", country="NL"),
    )
    assert first.remittance_info == "Nolo container Genova-Valencia"
    assert (first.amount, first.currency, second.amount) == (40100.0, "EUR", 2500.0)


def test_fedwire_envelope_without_xml_extension():
    path = BANK / "fedwire_envelope_pacs.008"
    assert detect_format(str(path)) == "pacs.008"
    (row,) = read_feed(str(path), ctx(path.name, "FR"))
    assert row == Transaction(
        country="FR",
        business_date="2026-11-27",
        source_type="bank",
        source_file="bank/fedwire_envelope_pacs.008",
        source_row=1,
        tx_id="9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
        tx_timestamp_us=us("2026-11-27T14:05:00+00:00"),  # CreDtTm 09:05-05:00
        amount=75000.0,
        currency="USD",
        parties=(
            Party(
                "originator", "Dubois Négoce International SA", "5647772655", None, "FR"
            ),
            Party(
                "beneficiary", "Atlantic Grain Exporters LLC", "567876543", None, "US"
            ),
        ),
        remittance_info="Contract AGX-2026-118 wheat cargo",
        file_format="pacs.008",
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("entity.xml", "XML DTD/entity declarations are not allowed"),
        ("external_entity.xml", "XML DTD/entity declarations are not allowed"),
        ("truncated.xml", ("not well-formed XML (broken or truncated): Premature end of data in tag Nm line 54, "
                           "line 54, column 39")),
        ("not_xml.xml", "not well-formed XML (broken or truncated): syntax error: line 1, column 0"),
        ("pain001.xml", ("not a pacs.008 message: root element <Document> in namespace "
                         "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03")),
    ],
)  # fmt: skip
def test_broken_hostile_or_foreign_xml_fails_the_whole_file(name: str, message: str):
    with pytest.raises(FeedError) as err:
        read(name)
    assert str(err.value) == message


def test_pain001_and_non_xml_are_not_detected_as_pacs008():
    assert detect_format(str(BANK / "pain001.xml")) == "pain.001"
    assert detect_format(str(BANK / "not_xml.xml")) is None


def test_gzipped_message_empty_file_and_gzip_garbage(tmp_path: Path):
    folder = tmp_path / "bank"
    folder.mkdir()
    zipped = folder / "pacs.xml.gz"
    zipped.write_bytes(gzip.compress((BANK / "pacs008_v08.xml").read_bytes()))
    assert detect_format(str(zipped)) == "pacs.008"
    assert list(read_pacs008(str(zipped), ctx("pacs008_v08.xml"))) == read(
        "pacs008_v08.xml"
    )
    empty = folder / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(FeedError, match="^empty file$"):
        list(read_pacs008(str(empty), ctx("empty.xml")))
    garbage = folder / "garbage.xml.gz"
    garbage.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(FeedError, match="^unreadable gzip"):
        list(read_pacs008(str(garbage), ctx("garbage.xml.gz")))
    with pytest.raises(
        FeedError, match="^unrecognised file type 'bank/garbage.xml.gz': unreadable"
    ):
        list(read_feed(str(garbage), ctx("garbage.xml.gz")))


TX = """<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-27T07:00:00Z</CreDtTm></GrpHdr>
<CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId></PmtId>{body}
<Dbtr><Nm>Janssens NV</Nm></Dbtr><Cdtr><Nm>Maes BV</Nm></Cdtr></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>"""


@pytest.mark.parametrize(
    "body, expected",
    [
        ('<InstdAmt Ccy="eur">12.50</InstdAmt>', (12.5, "EUR", us("2026-11-27T07:00:00+00:00"))),
        ('<IntrBkSttlmAmt Ccy="EUR">12,5x</IntrBkSttlmAmt>', "IntrBkSttlmAmt not a number: '12,5x'"),
        ('<IntrBkSttlmAmt Ccy="EUR">1.00</IntrBkSttlmAmt><IntrBkSttlmDt>27-11-2026</IntrBkSttlmDt>',
         "IntrBkSttlmDt not a date: '27-11-2026'"),
    ],
)  # fmt: skip
def test_amount_fallback_and_unreadable_values(
    tmp_path: Path, body: str, expected: tuple[float, str, int] | str
):
    path = tmp_path / "one.xml"
    path.write_text(TX.format(body=body))
    (row,) = read_pacs008(str(path), ctx("one.xml"))
    if isinstance(expected, str):
        assert (
            isinstance(row, QuarantineRow)
            and row.reason == expected
            and row.source_row == 1
        )
    else:
        assert isinstance(row, Transaction)
        assert (row.amount, row.currency, row.tx_timestamp_us) == expected


@pytest.mark.parametrize("name", sorted(p.name for p in BANK.glob("pacs008*.xml")) + ["fedwire_envelope_pacs.008"])
def test_one_walk_per_transaction_finds_what_element_find_finds(name: str):
    """The reader looks fields up in one walk per CdtTrfTxInf (`_Paths`); for every path
    below every transaction of the real-shaped samples, that walk must give the element
    `Element.find` gives, the first in document order where a path repeats."""
    from transforms.feeds.pacs008 import MESSAGE, _Paths, parse_xml

    root, _ = parse_xml(str(BANK / name))
    checked = 0
    for tx in (t for m in root.iter(MESSAGE) for t in m.iterfind("CdtTrfTxInf")):
        paths = _Paths(tx)
        for path, elem in paths.found.items():
            assert elem is tx.find(path), path
            checked += 1
    assert checked > 20


def test_one_walk_keeps_the_first_of_repeated_paths():
    import xml.etree.ElementTree as ET

    from transforms.feeds.pacs008 import _Paths

    tx = ET.fromstring("<T><RmtInf><Strd>a</Strd></RmtInf><RmtInf><Ustrd>b</Ustrd><Ustrd>c</Ustrd></RmtInf>"
                       "<Dbtr><Nm>first</Nm></Dbtr><Dbtr><Nm>second</Nm></Dbtr></T>")  # fmt: skip
    paths = _Paths(tx)
    assert paths.text("RmtInf/Ustrd") == "b" and paths.found["RmtInf/Ustrd"] is tx.find("RmtInf/Ustrd")
    assert paths.text("Dbtr/Nm") == "first"
    assert [e.text for e in paths.every] == ["b", "c"]  # every RmtInf/Ustrd, for the remittance text
    assert paths.text("Cdtr/Nm", "Dbtr/Nm") == "first" and paths.text("Cdtr/Nm") is None


def test_one_walk_skips_comments_and_works_past_the_kept_paths(monkeypatch):
    """Comments and processing instructions have no path; once the tree of kept paths is
    full, a path met for the first time is worked out each time and still found."""
    import xml.etree.ElementTree as ET

    from transforms.feeds import pacs008

    builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
    parser = ET.XMLParser(target=builder)
    parser.feed("<T><!-- c --><Dbtr><?pi x?><Nm>n</Nm><NewlyMetTag>v</NewlyMetTag></Dbtr></T>")
    tx = parser.close()
    assert list(pacs008._Paths(tx).found) == ["Dbtr", "Dbtr/Nm", "Dbtr/NewlyMetTag"]
    monkeypatch.setattr(pacs008, "_known_nodes", [pacs008._PATH_NODES])
    tx = ET.fromstring("<T><Dbtr><Nm>n</Nm><OtherNewTag><Deeper>d</Deeper></OtherNewTag></Dbtr></T>")
    for _ in range(2):
        paths = pacs008._Paths(tx)
        assert paths.text("Dbtr/OtherNewTag/Deeper") == "d" and paths.text("Dbtr/Nm") == "n"
    assert "OtherNewTag" not in pacs008._ROOT["Dbtr"][1]


@pytest.mark.parametrize("depth", [250, 300, 5000])
def test_deep_nesting_is_read_or_refused_whole_never_a_recursion_error(tmp_path, depth):
    """The walk recurses once per level; libxml2 refuses more than 256 levels."""
    from transforms.feeds.common import FeedError, FileContext
    from transforms.feeds.pacs008 import read_pacs008

    deep = "<A>" * depth + "x" + "</A>" * depth
    path = tmp_path / "deep.xml"
    path.write_text(f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>'
                    f'<CdtTrfTxInf><PmtId><EndToEndId>e</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="EUR">1'
                    f"</IntrBkSttlmAmt><IntrBkSttlmDt>2026-11-27</IntrBkSttlmDt><Dbtr><Nm>n</Nm></Dbtr>{deep}"
                    f"</CdtTrfTxInf></FIToFICstmrCdtTrf></Document>")  # fmt: skip
    ctx = FileContext("NL", "2026-11-27", "bank", "bank/deep.xml")
    if depth < 256:
        [row] = read_pacs008(str(path), ctx)
        assert isinstance(row, Transaction) and row.parties[0].name == "n"
    else:
        with pytest.raises(FeedError, match="depth"):
            list(read_pacs008(str(path), ctx))


def _message(ids: list[str], header: bool = True, day: str = "2026-11-26") -> str:
    head = f"<GrpHdr><MsgId>M</MsgId><CreDtTm>{day}T07:00:00Z</CreDtTm></GrpHdr>" if header else ""
    txs = "".join(f'<CdtTrfTxInf><PmtId><EndToEndId>{i}</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="EUR">1.00'
                  f"</IntrBkSttlmAmt><Dbtr><Nm>Party {i}</Nm></Dbtr></CdtTrfTxInf>" for i in ids)  # fmt: skip
    return f"<FIToFICstmrCdtTrf>{head}{txs}</FIToFICstmrCdtTrf>"


def test_stream_walk_drops_each_transaction_after_reading_it(tmp_path: Path):
    """The reader never holds the tree: each CdtTrfTxInf is emptied once its row is made and
    taken out of its message when the next one is read, so the message never holds more than
    the transactions of one chunk read from the file (libxml2's memory is out of tracemalloc's
    sight, so the tree's shape is what is checked)."""
    from transforms.feeds.pacs008 import _CHUNK, walk_transactions

    path = tmp_path / "many.xml"
    path.write_text(f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">'
                    f"{_message([f'E{i}' for i in range(3000)])}</Document>")  # fmt: skip
    seen, held = [], []

    def on_tx(position: int, tx, header) -> int:
        seen.append(tx)
        held.append(len(tx.getparent()))
        assert header is not None and header.tag.endswith("}GrpHdr") and len(tx) == 3
        return position

    rows = walk_transactions(str(path), on_tx)
    assert [p for p, _ in rows] == list(range(1, 3001)) and [v for _, v in rows] == list(range(1, 3001))
    assert len(seen) == 3000 and all(tx.tag.endswith("}CdtTrfTxInf") and len(tx) == 0 for tx in seen)
    tx_bytes = len(_message(["E0", "E1"])) - len(_message(["E0"]))  # the smallest here
    per_chunk = _CHUNK // tx_bytes + 4  # and the GrpHdr, the one before, the one begun
    assert 2 <= held[-1] and max(held) <= per_chunk < 3000, (max(held), per_chunk)
    assert [r.tx_id for r in read_pacs008(str(path), ctx("many.xml"))] == [f"E{i}" for i in range(3000)]


def test_stream_walk_numbers_only_transactions_of_a_pacs008_message(tmp_path: Path):
    """A CdtTrfTxInf outside an FIToFICstmrCdtTrf (here in a pacs.009 beside it) is not a row
    and does not shift the numbers; a message without GrpHdr does not borrow the one before."""
    from transforms.read import _xml_texts

    path = tmp_path / "envelope.xml"
    path.write_text(f"<Envelope>{_message(['A1', 'A2'])}<FICdtTrf><FinInstnCdtTrf>{_message(['X'])[19:-20]}"
                    f"</FinInstnCdtTrf></FICdtTrf>{_message(['B1'], header=False)}</Envelope>")  # fmt: skip
    rows = read_pacs008(str(path), ctx("envelope.xml"))
    assert [(r.source_row, r.tx_id) for r in rows] == [(1, "A1"), (2, "A2"), (3, "B1")]
    first, _, third = read_pacs008(str(path), ctx("envelope.xml"))
    assert first.tx_timestamp_us == us("2026-11-26T07:00:00+00:00") and third.tx_timestamp_us is None
    texts = _xml_texts("pacs.008", str(path), {1, 3})
    assert set(texts) <= {1, 3} and "<EndToEndId>A1</EndToEndId>" in texts[1]
    assert "B1" in texts.get(3, "B1")  # after a shifted number the text may be missing, never another row's


@pytest.mark.parametrize("before", [0, 65_536 - 40, 65_536 - 5, 65_536 + 100])
def test_a_dtd_is_refused_wherever_the_file_is_cut_into_chunks(tmp_path: Path, before: int):
    """The prolog guard reads each chunk before libxml2 does: a DOCTYPE with an entity that
    would expand a billion times is refused even when it straddles a chunk boundary, and
    nothing is expanded."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xml"
    path.write_text('<?xml version="1.0"?>\n' + "<!-- " + "x" * max(before - 28, 0) + " -->"
                    f'<!DOCTYPE Document [<!ENTITY l0 "lol">{laughs}]>'
                    f"<Document>{_message(['E1'])}<Ustrd>&l9;</Ustrd></Document>")  # fmt: skip
    with pytest.raises(FeedError, match="^XML DTD/entity declarations are not allowed$"):
        list(read_pacs008(str(path), ctx("laughs.xml")))
