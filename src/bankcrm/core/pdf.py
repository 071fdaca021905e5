"""The one font every PDF is set in.

WenQuanYi Micro Hei, an open CJK font (Apache-2.0), ships inside the package
(``core/fonts``, see its ``SOURCE.md``). Reportlab embeds the subset of glyphs each
document uses as a TrueType font file, so a PDF reads the same on machines without Chinese
fonts and its text stays extractable (copy, search, screen readers).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

PDF_FONT = "WenQuanYiMicroHei"
FONT_FILE = "fonts/wqy-microhei.ttc"
FONT_FACE = 0
"""The collection's face index: 0 is WenQuanYi Micro Hei, 1 its monospaced sister."""


@lru_cache
def pdf_font() -> str:
    """The font's name, registered with reportlab once."""
    font_file = resources.files("bankcrm.core").joinpath(FONT_FILE)
    with resources.as_file(font_file) as path:
        pdfmetrics.registerFont(TTFont(PDF_FONT, str(path), subfontIndex=FONT_FACE))
    return PDF_FONT
