"""The suites' patterns mean what they say in the engine that runs them (RE2, through Arrow)."""

from __future__ import annotations

import re
import sys
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from schemas.expectations import NAME_WORD


def test_name_word_is_a_letter_or_digit_in_any_script_as_python_reads_it():
    """RE2's `[\\p{L}\\p{N}]` and Python's `[^\\W_]` take the same assigned characters; they
    differ only on code points Python's Unicode tables do not assign yet (RE2's are newer)."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    python = [re.search(r"[^\W_]", c) is not None for c in chars]
    arrow = pc.match_substring_regex(pa.array(chars), NAME_WORD).to_pylist()
    differ = [c for c, p, a in zip(chars, python, arrow) if p != a]
    assert all(unicodedata.category(c) == "Cn" for c in differ), [hex(ord(c)) for c in differ if unicodedata.category(c) != "Cn"][:5]
    assert sum(python) > 100_000  # letters and digits of many scripts


def test_pandas_runs_name_word_in_arrow_on_non_ascii_text():
    names = pd.Series(["Ωmega Shipping", "___", "—", "東京海運", "", None, "Ünal 7"], dtype="string")
    assert names.array._needs_python_regex(NAME_WORD) is False  # the C path, whatever the text
    assert names.str.contains(NAME_WORD).tolist() == [True, False, False, True, False, pd.NA, True]
