"""A PDF text layer that gives back the text that was typeset, Arabic included.

A PDF maps each glyph code to text once per font (its ToUnicode map). WeasyPrint fills that map
from the first cluster a glyph was seen in, so shaped Arabic comes back wrong as soon as a glyph
serves two purposes: Amiri adds a kashida glyph (the tatweel) after lam before kaf, so الكرملين
extracted as «اللكرملين»; a letter carrying a vowel mark got the pair's text while the mark got
none (or the reverse), so marks and letters doubled or vanished. And a line whose runs change
direction (an Arabic sentence with "3" or "2022" in it) was written in visual order, which
stream-order extractors (pypdf) read back in the wrong run order.

`searchable_text()` fixes both while WeasyPrint draws (and only then):

* each cluster's text is split over its glyphs in logical order - one character per glyph,
  a ligature glyph the rest, a glyph the shaper added (the kashida) nothing - and a glyph whose
  code already stands for other text is drawn under an alias code with its own ToUnicode
  entry (the font's CIDToGIDMap sends the alias back to the real glyph), so every occurrence
  extracts as its own text;
* a line with runs of both directions is written run by run in logical order, each run placed
  at its own position, so it looks the same and reads back in order.

Built on WeasyPrint's own drawing (`weasyprint.draw.text.draw_first_line` draws each run; the
font dictionary gains a CIDToGIDMap only when aliases were used). Tested with WeasyPrint 70;
`tests/test_report.py` extracts every statement of a report with pdftotext and pypdf.
"""
from __future__ import annotations

import contextlib
import threading
import unicodedata

_LOCK = threading.Lock()
_EMPTY = 0x0FFFFFFF      # PANGO_GLYPH_EMPTY
_UNKNOWN = 0x10000000    # PANGO_GLYPH_UNKNOWN_FLAG


def _split(text: str, k: int) -> list[str]:
    """`text` over `k` glyphs in logical order: one character each, the last glyph any rest
    (a ligature), glyphs beyond the text's length nothing (added by the shaper)."""
    chars = list(text)
    if k <= 0:
        return []
    if len(chars) <= k:
        return chars + [""] * (k - len(chars))
    return chars[:k - 1] + ["".join(chars[k - 1:])]


class _Aliases:
    """Per font: alias code -> real glyph id, and (glyph, text) -> alias code."""

    def __init__(self, font):
        self.real: dict[int, int] = {}
        self.code: dict[tuple[int, str], int] = {}
        self.next = max(font.glyph_count + 2048, 0x8000)

    def get(self, gid: int, text: str) -> int | None:
        key = (gid, text)
        if key not in self.code:
            if self.next > 0xFFFE:
                return None
            self.code[key] = self.next
            self.real[self.next] = gid
            self.next += 1
        return self.code[key]


def _aliases(font) -> _Aliases:
    a = getattr(font, "_stance_aliases", None)
    if a is None:
        a = font._stance_aliases = _Aliases(font)
    return a


def _runs(first_line, ffi):
    out = []
    node = first_line.runs
    while node != ffi.NULL:
        out.append(node)
        node = node.next
    return out


def _font_ok(font) -> bool:
    return not (font.bitmap or font.png or font.svg or font.colr)


def _space_gid(font) -> int | None:
    """The font's space glyph (draws nothing): carriers of right-to-left text use it."""
    gid = getattr(font, "_stance_space", False)
    if gid is False:
        gid = None
        try:
            import io
            from fontTools.ttLib import TTFont
            tt = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
            name = tt.getBestCmap().get(0x20)
            gid = tt.getGlyphID(name) if name else None
        except Exception:
            gid = None
        font._stance_space = gid
    return gid


def _code(font, gid: int, text: str, width: int | None = None) -> int | None:
    """A code drawing glyph `gid` whose ToUnicode entry is `text` (and whose PDF width is
    `width`, in 1/1000 em, when given): `gid` itself when free, else an alias."""
    w = font.widths.get(gid) if width is None else width
    if font.to_unicode.get(gid, text) == text and font.widths.get(gid, w) == w:
        font.to_unicode[gid] = text
        font.widths[gid] = w
        return gid
    aliases = _aliases(font)
    code = aliases.get(gid, f"{text}\0{w}")
    if code is not None:
        font.to_unicode[code] = text
        font.widths[code] = w
        if gid not in font.to_unicode:     # the subsetter keeps glyphs named in the map
            font.to_unicode[gid] = ""
    return code


def _pdf_width(stream, font, pango_font, gid, font_size, pango, from_units) -> int:
    if gid not in font.widths:
        pango.pango_font_get_glyph_extents(pango_font, gid, stream.ink_rect, stream.logical_rect)
        return round(stream.logical_rect.width * 1000 * from_units / font_size)
    return font.widths[gid]


def _clusters(glyph_item, utf8: bytes):
    """[(text, [glyph indices in visual order])] for one run, in visual order."""
    item, glyphs = glyph_item.item, glyph_item.glyphs
    n = glyphs.num_glyphs
    clusters = glyphs.log_clusters
    starts = sorted({clusters[i] for i in range(n)})
    end_of = {c: (starts[j + 1] if j + 1 < len(starts) else item.length)
              for j, c in enumerate(starts)}
    out: list[tuple[str, list[int]]] = []
    for i in range(n):
        c = clusters[i]
        if out and out[-1][0] == c:
            out[-1][1].append(i)
        else:
            out.append((c, [i]))
    return [(utf8[item.offset + c:item.offset + end_of[c]].decode("utf-8", "replace"), idx)
            for c, idx in out]


def _remap_ltr(stream, textbox, glyph_item, utf8, pango, from_units) -> None:
    """Left-to-right run: each glyph maps to its share of its cluster's text."""
    item, glyphs = glyph_item.item, glyph_item.glyphs
    pango_font = item.analysis.font
    font, font_size = stream.add_font(pango_font)
    if not _font_ok(font):
        return
    if pango.pango_version() < 14802:
        font_size = textbox.style["font_size"]
    info = glyphs.glyphs
    for text, idx in _clusters(glyph_item, utf8):
        drawn = [i for i in idx if info[i].glyph != _EMPTY]
        if any(info[i].glyph & _UNKNOWN for i in drawn):
            continue            # .notdef handling stays WeasyPrint's
        for i, want in zip(drawn, _split(text, len(drawn))):
            gid = _real(font, info[i].glyph)
            w = _pdf_width(stream, font, pango_font, gid, font_size, pango, from_units)
            code = _code(font, gid, want, w)
            if code is not None:
                info[i].glyph = code


def _real(font, code: int) -> int:
    a = getattr(font, "_stance_aliases", None)
    return a.real.get(code, code) if a is not None else code


PYPDF_NEUTRAL = ("\x00", "\x2f"), ("\x3a", "\x40"), ("\u0660", "\u066d"), \
    ("\u06f0", "\u06f9"), ("\u2000", "\u206f"), ("\u20a0", "\u21ff")


def _neutral(ch: str) -> bool:
    return any(a <= ch <= b for a, b in PYPDF_NEUTRAL)


def _rtl_carriers(stream, textbox, glyph_item, utf8, ffi, pango, from_units, keep):
    """Right-to-left run: the visible glyphs carry no text; after them, invisible carriers
    (the space glyph) tile the run, one per character, each over its cluster's place.

    Extractors then read one character per box, in visual order, with no zero-width mark
    over a letter (which pdftotext takes for overprinted duplicate text) and no kashida gap.
    Returns False when the run is left to WeasyPrint (colour font, no space glyph, .notdef).
    """
    item, glyphs = glyph_item.item, glyph_item.glyphs
    n = glyphs.num_glyphs
    pango_font = item.analysis.font
    font, font_size = stream.add_font(pango_font)
    if not _font_ok(font) or n == 0:
        return False
    space = _space_gid(font)
    if space is None:
        return False
    if pango.pango_version() < 14802:
        font_size = textbox.style["font_size"]
    info = glyphs.glyphs
    if any(info[i].glyph & _UNKNOWN for i in range(n)):
        return False
    units = 1000 * from_units / font_size           # Pango units -> 1/1000 em
    out = []                                         # (glyph, width, x_offset, y_offset)
    for i in range(n):
        g = info[i]
        if g.glyph == _EMPTY:
            out.append((g.glyph, g.geometry.width, g.geometry.x_offset, g.geometry.y_offset))
            continue
        gid = _real(font, g.glyph)
        w = _pdf_width(stream, font, pango_font, gid, font_size, pango, from_units)
        code = _code(font, gid, "", w)
        if code is None:
            return False
        out.append((code, g.geometry.width, g.geometry.x_offset, g.geometry.y_offset))
    run_width = sum(info[i].geometry.width for i in range(n))
    rewind = _code(font, space, "", 0)
    carriers = []
    for text, idx in _clusters(glyph_item, utf8):
        chars = list(text)
        if not chars:
            continue
        adv = sum(info[i].geometry.width for i in idx)
        tiles = [adv // len(chars)] * len(chars)
        tiles[-1] += adv - sum(tiles)
        for ch, w in zip(reversed(chars), tiles):        # visual order: last character first
            if ch.isspace():
                ch = " "          # a no-break space reads as a space (pypdf takes U+00A0 for a letter)
            code = _code(font, space, ch, int(round(w * units / 5)) * 5)
            if code is None:
                return False
            carriers.append((code, w, 0, 0))
    carriers = _split_sections(font, space, carriers)
    if carriers and _neutral(_decoded(font, carriers[0][0])):
        # pypdf joins leading neutral characters to the direction it was reading before:
        # an Arabic letter mark (U+061C, invisible) first puts it in right-to-left mode.
        alm = _code(font, space, "\u061c", 0)
        if alm is not None:
            carriers.insert(0, (alm, 0, 0, 0))
    seq = out + [(rewind, -run_width, 0, 0)] + carriers
    arr = ffi.new("PangoGlyphInfo[]", len(seq))
    for k, (glyph, width, xo, yo) in enumerate(seq):
        arr[k].glyph = glyph
        arr[k].geometry.width = width
        arr[k].geometry.x_offset = xo
        arr[k].geometry.y_offset = yo
        arr[k].attr.is_cluster_start = 1
    keep.append((glyphs, glyphs.glyphs, glyphs.num_glyphs, arr))
    glyphs.glyphs = arr
    glyphs.num_glyphs = len(seq)
    return True


def _strong_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL") if ch else False


def _split_sections(font, space: int, carriers: list) -> list:
    """An invisible U+061C (Arabic letter mark) to the visual left of each punctuation mark
    or digit whose left neighbour is not a letter.

    pdftotext reorders a right-to-left line by keeping every stretch that starts at a number-
    like character (":", ".", "،") and runs left over neutral ones (spaces, quotes) in visual
    order, so «قال: "نحن» came back as «قال": نحن». The mark, a right-to-left letter to it,
    ends that stretch after the one character; pypdf reads it as right-to-left text too.
    """
    out = []
    for k, c in enumerate(carriers):
        ch = _decoded(font, c[0])
        if k and ch and not ch.isspace() and not _strong_rtl(ch) \
                and unicodedata.bidirectional(ch) not in ("ON", "NSM", "BN"):
            j = k - 1
            while j > 0 and _decoded(font, carriers[j][0]).isspace():
                j -= 1
            left = _decoded(font, carriers[j][0])
            if not (_strong_rtl(left) or left.isspace() or left in ("\u061c", ch)):
                alm = _code(font, space, "\u061c", 0)
                if alm is not None:
                    out.append((alm, 0, 0, 0))
        out.append(c)
    return out


def _decoded(font, code: int) -> str:
    return font.to_unicode.get(code, "")


def _draw_first_line(original, ffi, pango, from_units, matrix_cls):
    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if (text_overflow == "ellipsis" or block_ellipsis != "none"
                or not textbox.text.strip() or textbox.style["font_size"] < 1e-6):
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
        first_line, _ = textbox.pango_layout.get_first_line()
        utf8 = textbox.pango_layout.text.encode()
        runs = _runs(first_line, ffi)
        keep: list = []
        try:
            return _draw(original, stream, textbox, text_overflow, block_ellipsis, matrix,
                         first_line, runs, utf8, keep, ffi, pango, from_units, matrix_cls)
        finally:
            for glyphs, ptr, num, _ in keep:      # Pango frees its own arrays later
                glyphs.glyphs, glyphs.num_glyphs = ptr, num
    return draw_first_line


def _draw(original, stream, textbox, text_overflow, block_ellipsis, matrix, first_line, runs,
          utf8, keep, ffi, pango, from_units, matrix_cls):
        widths = []
        for node in runs:
            g = node.data.glyphs
            widths.append(sum(g.glyphs[i].geometry.width for i in range(g.num_glyphs))
                          * from_units)
        for node in runs:
            gi = node.data
            if gi.item.analysis.level % 2:
                if not _rtl_carriers(stream, textbox, gi, utf8, ffi, pango, from_units, keep):
                    _remap_ltr(stream, textbox, gi, utf8, pango, from_units)
            else:
                _remap_ltr(stream, textbox, gi, utf8, pango, from_units)
        offsets = [node.data.item.offset for node in runs]
        mixed = any(node.data.item.analysis.level % 2 for node in runs) and \
            offsets != sorted(offsets)
        if not mixed:
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        # Runs in logical order, each at its own place: looks the same, reads in order.
        x = 0.0
        placed = []
        for node, width in zip(runs, widths):
            placed.append((node.data.item.offset, x, node))
            x += width
        head = first_line.runs
        emojis = []
        try:
            for _, dx, node in sorted(placed, key=lambda p: p[0]):
                saved = node.next
                node.next = ffi.NULL
                first_line.runs = node
                try:
                    m = matrix_cls(*matrix.values[:4], matrix.values[4] + dx, matrix.values[5])
                    emojis += original(stream, textbox, text_overflow, block_ellipsis, m)
                finally:
                    node.next = saved
        finally:
            first_line.runs = head
        return emojis


def _cid_to_gid(original, pydyf):
    def build(font_dictionary, pdf, font, widths, compress, reference, pdf_version):
        original(font_dictionary, pdf, font, widths, compress, reference, pdf_version)
        aliases = getattr(font, "_stance_aliases", None)
        if not aliases or not aliases.real:
            return
        ref = font_dictionary["DescendantFonts"][0]
        number = int(ref.split()[0]) if isinstance(ref, bytes) else int(str(ref).split()[0])
        sub = pdf.objects[number]
        top = max(aliases.real)
        table = bytearray()
        for cid in range(top + 1):
            gid = aliases.real.get(cid, cid if cid < font.glyph_count else 0)
            table += gid.to_bytes(2, "big")
        stream = pydyf.Stream([bytes(table)], compress=compress)
        pdf.add_object(stream)
        sub["CIDToGIDMap"] = stream.reference
    return build


@contextlib.contextmanager
def searchable_text():
    """While active, WeasyPrint writes a text layer that extracts as the typeset text."""
    try:
        import pydyf
        from weasyprint.draw import text as wp_text
        from weasyprint.matrix import Matrix
        from weasyprint.pdf import fonts as wp_fonts
        from weasyprint.text.ffi import FROM_UNITS, ffi, pango
        wp_text.draw_first_line, wp_fonts._build_vector_font_dictionary  # noqa: B018
    except (ImportError, AttributeError):     # another WeasyPrint: its own text layer
        import warnings
        warnings.warn("this WeasyPrint version is not known to stance's PDF text layer; "
                      "Arabic in the PDF may not copy or search correctly")
        yield
        return
    with _LOCK:
        draw, build = wp_text.draw_first_line, wp_fonts._build_vector_font_dictionary
        wp_text.draw_first_line = _draw_first_line(draw, ffi, pango, FROM_UNITS, Matrix)
        wp_fonts._build_vector_font_dictionary = _cid_to_gid(build, pydyf)
        try:
            yield
        finally:
            wp_text.draw_first_line, wp_fonts._build_vector_font_dictionary = draw, build
