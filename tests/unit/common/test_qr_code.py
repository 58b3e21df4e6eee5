"""A QR code with its mask chosen by Hearth is the very symbol segno makes: same mask, modules, version and SVG,
and Hearth's SVG writer writes segno's text.

The expectation is segno's own ``segno.make``, which scores the masks module by module; nothing here restates the
scoring rules.
"""

import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.common import qr_code

ERRORS = st.sampled_from(["l", "m", "q", "h"])


def assert_same_symbol(content: str, error: str) -> None:
    expected, made = segno.make(content, error=error), qr_code.make(content, error=error)
    assert (made.version, made.error, made.mask) == (expected.version, expected.error, expected.mask)
    assert made.matrix == expected.matrix
    assert made.svg_inline(scale=4, omitsize=False) == expected.svg_inline(scale=4, omitsize=False)
    for scale in (1, 4):
        assert qr_code.svg(made, scale=scale) == expected.svg_inline(
            scale=scale, dark="#000", light="#fff", omitsize=False
        )


def test_every_bill_page_address_gets_segnos_symbol_whichever_mask_wins() -> None:
    masks = set()
    for bill_id in [*range(1, 250), 1074]:  # 1074 is the first whose best mask is 4
        url = f"https://portal.example.co.uk/portal/bills/{bill_id}/"
        assert_same_symbol(url, "m")
        masks.add(segno.make(url, error="m").mask)
    assert masks == set(range(8)), "the addresses should exercise every one of the eight masks"


@settings(max_examples=150, deadline=None)
@given(content=st.text(min_size=1, max_size=400), error=ERRORS)
def test_any_text_gets_segnos_symbol(content: str, error: str) -> None:
    assert_same_symbol(content, error)


@settings(max_examples=50, deadline=None)
@given(content=st.from_regex(r"[0-9]{1,900}", fullmatch=True), error=ERRORS)
def test_long_numbers_with_version_information_get_segnos_symbol(content: str, error: str) -> None:
    assert_same_symbol(content, error)
