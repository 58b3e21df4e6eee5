"""QR codes: segno's symbol, with its modules placed, its data mask chosen and its SVG written here rather than by
segno, the same symbol and text in a fraction of the time.

segno (pure Python) picks the mask by applying each of the eight masks and scoring the result module by module (ISO/IEC
18004:2015 7.8.3, as segno reads it): 3-4 ms of the 4-5 ms a code takes, and a bill run prints one code per bill. Here
segno encodes the message and its error correction codewords; their bits are placed in an order worked out once per
size (segno walks the symbol module by module for each, then masks it module by module), each mask is scored on
whole rows and columns at once (integers and strings, the loops in C) by segno's own rules, ties going to the lower
mask as in segno, and the symbol is given the best mask, its format and its version information. The SVG is written
from each row's runs of dark modules. A test holds the symbol and its SVG to ``segno.make`` over many inputs, so a
segno upgrade that changes its rules fails there, not in print. Micro QR codes (very short inputs) are left to segno.
"""

import functools
import re
from typing import Final, NamedTuple

import segno
from segno import consts, encoder

_FINDER_LIKE: Final = "1011101"
"""Dark, light, three dark, light, dark (N3)."""

_DARK_RUN: Final = re.compile(rb"\x01+")
"""A run of dark modules in a row of segno's matrix (one byte a module, 1 for dark)."""

_DIGITS: Final = bytes.maketrans(b"\x00\x01", b"01")
_MODULES: Final = bytes.maketrans(b"01", b"\x00\x01")


def _packed(lines: list[int], size: int) -> int:
    """The lines (``size`` bits each) as one integer, line ``k`` at bit ``k * (size + 1)``, a light bit between."""
    return sum(line << (k * (size + 1)) for k, line in enumerate(lines))


class _Layout(NamedTuple):
    """What placing and scoring a QR code of one size needs, each row an integer with column 0 its highest bit."""

    fixed: tuple[bytearray, ...]
    """segno's matrix before the codewords are placed: the function patterns, the format and version areas light,
    every data module 2."""
    placement: list[tuple[int, int]]
    """The data modules (row, column) in the order the message's bits fill them (ISO/IEC 18004:2015 7.7.3)."""

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
        fixed=fixed,
        placement=_placement(fixed),
        base=bits([[fixed[i][j] == 1 for j in every] for i in every]),
        data=bits([[fixed[i][j] > 1 for j in every] for i in every]),
        mask_rows=mask_rows,
        masks_packed=[_packed(rows + columns, size) for rows, columns in zip(mask_rows, mask_columns, strict=True)],
        pairs=_packed([pair] * (2 * size), size),
        row_pairs=_packed([pair] * (size - 1), size),
        rows_full=_packed([(1 << size) - 1] * (size - 1), size),
    )


def _placement(fixed: tuple[bytearray, ...]) -> list[tuple[int, int]]:
    """The data modules in placement order: two-module columns from the right, alternately upwards and downwards,
    skipping the vertical timing pattern, as segno's ``add_codewords`` walks them."""
    size, order = len(fixed), []
    for right in range(size - 1, 0, -2):
        right -= right <= 6
        upwards = (right & 2) == 0
        for vertical in range(size):
            for j in (right, right - 1):
                i = size - 1 - vertical if upwards ^ (j < 6) else vertical
                if fixed[i][j] > 1:
                    order.append((i, j))
    return order


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


def _codewords(segments: encoder.Segments, version: int, error: int) -> bytearray:
    """The final message's bits (data and error correction codewords interleaved, remainder bits last), as segno's
    ``encoder._encode`` writes them for a QR code without ECI or Structured Append."""
    buffer = encoder.Buffer()
    for segment in segments:
        encoder.write_segment(buffer, segment, None, encoder.version_range(version), False)
    capacity = consts.SYMBOL_CAPACITY[version][error]  # type: ignore[index]  # a dict of dicts of ints, untyped
    encoder.write_terminator(buffer, capacity, None, len(buffer))
    encoder.write_padding_bits(buffer, version, len(buffer))
    encoder.write_pad_codewords(buffer, version, capacity, len(buffer))
    bits: bytearray = encoder.make_final_message(version, error, buffer).getbits()
    return bits


def make(content: str, *, error: str) -> segno.QRCode:
    """``segno.make(content, error=error)``: the same symbol, its modules placed and its mask chosen faster.

    segno encodes the message and its error correction; the bits are placed in the order worked out once per size
    (segno places them module by module, then masks every module in Python), and the mask is scored on whole rows
    and columns.
    """
    segments = encoder.prepare_data(content, None, None)
    level = encoder.normalize_errorlevel(error)
    version = encoder.find_version(segments, level, eci=False, micro=None)
    if version < 1:
        return segno.make(content, error=error)
    level = encoder.boost_error_level(version, level, segments, eci=False)
    size = encoder.calc_matrix_size(version)
    layout = _layout(size)
    placed = [bytearray(line) for line in layout.fixed]
    for (i, j), bit in zip(layout.placement, _codewords(segments, version, level), strict=True):
        placed[i][j] = bit
    rows = [int(bytes(line).translate(_DIGITS), 2) for line in placed]
    shape = f"0{size}b"
    columns = [int("".join(line), 2) for line in zip(*(format(row, shape) for row in rows), strict=True)]
    unmasked = _packed(rows + columns, size)
    penalties = [_penalty(unmasked ^ mask, layout, size) for mask in layout.masks_packed]
    best = penalties.index(min(penalties))
    matrix = tuple(
        bytearray(format(row ^ layout.mask_rows[best][i], shape).encode().translate(_MODULES))
        for i, row in enumerate(rows)
    )
    encoder.add_format_info(matrix, version, level, best)
    encoder.add_version_info(matrix, version)
    # segno's stub leaves out QRCode(code), the constructor segno.make itself calls.
    return segno.QRCode(encoder.Code(matrix, version, level, best, segments))  # type: ignore[call-arg]


def svg(symbol: segno.QRCode, *, scale: int) -> str:
    """``symbol.svg_inline(scale=scale, dark="#000", light="#fff", omitsize=False)``, the same text written from each
    row's runs of dark modules found at once, where segno's writer walks the symbol module by module (a third of the
    time a bill's code took)."""
    border = symbol.default_border_size
    moves, last_x, last_row = [], 0, None
    for row, line in enumerate(symbol.matrix):
        for run in _DARK_RUN.finditer(line):
            start = run.start() + border
            if last_row is None:
                moves.append(f"M{start} {row + border + 0.5}h{run.end() - run.start()}")
            else:
                moves.append(f"m{start - last_x} {row - last_row}h{run.end() - run.start()}")
            last_x, last_row = run.end() + border, row
    width = len(symbol.matrix[0]) + 2 * border
    background = f'<path fill="#fff" d="M0 0h{width}v{width}h-{width}z"/>'
    paths = "".join(sorted((background, f'<path class="qrline" stroke="#000" d="{"".join(moves)}"/>'), key=len))
    if scale != 1:
        paths = f'<g transform="scale({scale})">{paths}</g>'
    return f'<svg width="{width * scale}" height="{width * scale}" class="segno">{paths}</svg>'
