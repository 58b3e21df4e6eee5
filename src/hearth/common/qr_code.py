"""QR codes: segno's symbol, with its data mask chosen here rather than by segno, the same mask in a fraction of
the time.

segno (pure Python) picks the mask by applying each of the eight masks and scoring the result module by module (ISO/IEC
18004:2015 7.8.3, as segno reads it): 3-4 ms of the 4-5 ms a code takes, and a bill run prints one code per bill. Here
segno makes the symbol with mask 0; its data modules are unmasked back to what segno scores, each mask is scored on
whole rows and columns at once (integers and strings, the loops in C) by segno's own rules, ties going to the lower
mask as in segno, and the symbol is given the best mask and its format information. A test holds the result to
``segno.make`` over many inputs, so a segno upgrade that changes its rules fails there, not in print. Micro QR codes
(very short inputs) are left to segno.
"""

import functools
from typing import Final, NamedTuple

import segno
from segno import consts, encoder

_FINDER_LIKE: Final = "1011101"
"""Dark, light, three dark, light, dark (N3)."""

_DIGITS: Final = bytes.maketrans(b"\x00\x01", b"01")
_MODULES: Final = bytes.maketrans(b"01", b"\x00\x01")


def _packed(lines: list[int], size: int) -> int:
    """The lines (``size`` bits each) as one integer, line ``k`` at bit ``k * (size + 1)``, a light bit between."""
    return sum(line << (k * (size + 1)) for k, line in enumerate(lines))


class _Layout(NamedTuple):
    """What scoring a QR code of one size needs, each row an integer with column 0 its highest bit."""

    base: list[int]
    """The modules that are not data, at the values segno scores them at (finder, separator, timing and alignment
    patterns; the format and version areas light)."""
    data: list[int]
    """Which modules are data."""
    mask_rows: list[list[int]]
    """Each mask's pattern over the data, row by row."""
    masks_packed: list[int]
    """Each mask's pattern over the rows and then the columns, packed (:func:`_packed`)."""
    pairs: int
    """The packed lines' neighbouring pairs of modules within a line (bit ``b`` for ``b`` and ``b + 1``)."""
    row_pairs: int
    """The same over the rows but the last."""
    rows_full: int
    """The modules of the rows but the last."""


@functools.cache
def _layout(size: int) -> _Layout:
    fixed = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(fixed, size, size)
    encoder.add_alignment_patterns(fixed, size, size)

    def bits(cells: list[list[bool]]) -> list[int]:
        return [int("".join("1" if cell else "0" for cell in line), 2) for line in cells]

    every = range(size)
    masks = encoder.get_data_mask_functions(False)
    mask_rows = [bits([[fixed[i][j] > 1 and bool(mask(i, j)) for j in every] for i in every]) for mask in masks]
    mask_columns = [bits([[fixed[i][j] > 1 and bool(mask(i, j)) for i in every] for j in every]) for mask in masks]
    pair = (1 << (size - 1)) - 1
    return _Layout(
        base=bits([[fixed[i][j] == 1 for j in every] for i in every]),
        data=bits([[fixed[i][j] > 1 for j in every] for i in every]),
        mask_rows=mask_rows,
        masks_packed=[_packed(rows + columns, size) for rows, columns in zip(mask_rows, mask_columns, strict=True)],
        pairs=_packed([pair] * (2 * size), size),
        row_pairs=_packed([pair] * (size - 1), size),
        rows_full=_packed([(1 << size) - 1] * (size - 1), size),
    )


def _finder_like(text: str, size: int) -> int:
    """segno's N3 score of the packed lines in ``text`` (:func:`_packed`, in binary): 40 for each finder-like pattern
    at either end of its line, or with four light modules before or after it within its line (fewer at an end)."""
    score, found = 0, text.find(_FINDER_LIKE)
    while found != -1:
        start = found - found % (size + 1) + 1  # each line follows its light separator
        after = found + 7
        if found < start or after > start + size:  # across a separator: not a pattern of one line
            after = found + 1
        elif (
            found - start in (0, size - 7)
            or "1" not in text[max(found - 4, start) : found]
            or "1" not in text[after : min(after + 4, start + size)]
        ):
            score += 40
        else:
            after = found + 4
        found = text.find(_FINDER_LIKE, after)
    return score


def _penalty(lines: int, layout: _Layout, size: int) -> int:
    """The masked symbol's penalty as segno scores it, N1 + N2 + N3 + N4, from its rows and columns packed."""
    same = ~(lines ^ (lines >> 1)) & layout.pairs
    five = same & (same >> 1) & (same >> 2) & (same >> 3)  # a module and the four after it alike
    runs = five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()  # a run of n alike scores n - 2
    rows = lines & ((1 << (size * (size + 1))) - 1)
    dark = rows & (rows >> (size + 1))
    light = ~(rows | (rows >> (size + 1))) & layout.rows_full
    blocks = (dark & (dark >> 1) & layout.row_pairs).bit_count() + (light & (light >> 1) & layout.row_pairs).bit_count()
    text = format(lines, f"0{2 * size * (size + 1)}b")
    percent = float(rows.bit_count()) / (size**2)
    dark_share = 10 * int(abs(percent * 100 - 50) / 5)
    return runs + 3 * blocks + _finder_like(text, size) + dark_share


def make(content: str, *, error: str) -> segno.QRCode:
    """``segno.make(content, error=error)``: the same symbol, its mask chosen faster."""
    symbol = segno.make(content, error=error, mask=0)
    if symbol.is_micro:
        return segno.make(content, error=error)
    size = len(symbol.matrix)
    layout = _layout(size)
    masked = [int(bytes(line).translate(_DIGITS), 2) for line in symbol.matrix]
    rows = [layout.base[i] | ((masked[i] ^ layout.mask_rows[0][i]) & layout.data[i]) for i in range(size)]
    shape = f"0{size}b"
    columns = [int("".join(line), 2) for line in zip(*(format(row, shape) for row in rows), strict=True)]
    unmasked = _packed(rows + columns, size)
    penalties = [_penalty(unmasked ^ mask, layout, size) for mask in layout.masks_packed]
    best = penalties.index(min(penalties))
    if best:
        matrix = tuple(
            bytearray(
                format(line ^ layout.mask_rows[0][i] ^ layout.mask_rows[best][i], shape).encode().translate(_MODULES)
            )
            for i, line in enumerate(masked)
        )
        encoder.add_format_info(matrix, symbol.version, consts.ERROR_MAPPING[symbol.error], best)
        symbol.matrix, symbol.mask = matrix, best
    return symbol
