"""Streamed ISO 20022 pacs.008.001.08 writer for `generate`: one CdtTrfTxInf per bank row.

Rows arrive in the bank CSV column order (see `generate.BANK_CSV_COLUMNS`); the number of
transactions is known up front, so GrpHdr/NbOfTxs is written first and nothing is buffered.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import IO

PACS_NS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"


def xml_text(text: str) -> str:
    """Escape element text (&, <, >)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def uetr(rng: random.Random) -> str:
    """A random RFC 4122 version-4 UUID, as pacs.008 carries in PmtId/UETR."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def write_pacs008(out: IO[str], rng: random.Random, country: str, business_date: str,
                  count: int, rows: Iterator[list[str]]) -> None:
    """Write a FIToFICstmrCdtTrf message of `count` transactions (amounts in EUR)."""
    stamp = business_date.replace("-", "")
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PACS_NS}">\n'
              f" <FIToFICstmrCdtTrf>\n  <GrpHdr>\n   <MsgId>{country}{stamp}PACS008</MsgId>\n"
              f"   <CreDtTm>{business_date}T18:00:00</CreDtTm>\n   <NbOfTxs>{count}</NbOfTxs>\n"
              "   <SttlmInf>\n    <SttlmMtd>CLRG</SttlmMtd>\n   </SttlmInf>\n  </GrpHdr>\n")
    for i, t in enumerate(rows):
        parts = [(
            f"  <CdtTrfTxInf>\n   <PmtId><InstrId>{country}{stamp}{i + 1:07d}</InstrId>"
            f"<EndToEndId>{t[0]}</EndToEndId><UETR>{uetr(rng)}</UETR></PmtId>\n"
            f'   <IntrBkSttlmAmt Ccy="EUR">{t[3]}</IntrBkSttlmAmt>\n'
            f"   <IntrBkSttlmDt>{t[2]}</IntrBkSttlmDt>\n   <ChrgBr>SHAR</ChrgBr>\n")]
        if t[15]:
            parts.append(f"   <UltmtDbtr><Nm>{xml_text(t[15])}</Nm></UltmtDbtr>\n")
        parts.append(
            f"   <Dbtr><Nm>{xml_text(t[5])}</Nm><PstlAdr><Ctry>{t[8]}</Ctry></PstlAdr></Dbtr>\n"
            f"   <DbtrAcct><Id><IBAN>{t[6]}</IBAN></Id></DbtrAcct>\n"
            f"   <DbtrAgt><FinInstnId><BICFI>{t[7]}</BICFI></FinInstnId></DbtrAgt>\n"
            f"   <CdtrAgt><FinInstnId><BICFI>{t[11]}</BICFI></FinInstnId></CdtrAgt>\n"
            f"   <Cdtr><Nm>{xml_text(t[9])}</Nm><PstlAdr><Ctry>{t[12]}</Ctry></PstlAdr></Cdtr>\n"
            f"   <CdtrAcct><Id><IBAN>{t[10]}</IBAN></Id></CdtrAcct>\n")
        if t[16]:
            parts.append(f"   <UltmtCdtr><Nm>{xml_text(t[16])}</Nm></UltmtCdtr>\n")
        if t[13]:
            parts.append(f"   <RmtInf><Ustrd>{xml_text(t[13])}</Ustrd></RmtInf>\n")
        parts.append("  </CdtTrfTxInf>\n")
        out.write("".join(parts))
    out.write(" </FIToFICstmrCdtTrf>\n</Document>\n")
