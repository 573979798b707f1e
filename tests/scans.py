"""Scans made from documents whose cells are known: what a scanner or a phone does to a printout.

    .venv/bin/python tests/scans.py   # prints the blank template to tests/fixtures/scans/ (LibreOffice)

The scans themselves are made when a test or benchmark asks (a page takes well under a second);
only the printed blank template is committed, since printing needs LibreOffice. A scan is the source PDF rendered by pdfium at a scanner's resolution, in grey, then turned,
blurred, speckled and JPEG-compressed with a seeded random generator: the same arguments always
give the same bytes. The truth of a scan is the record of the document it was made from.
"""

import io
import pathlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from truth import SHARED

ROOT = pathlib.Path(__file__).resolve().parent
FIXTURES = ROOT / "fixtures"
SCANS = FIXTURES / "scans"
REPORT = FIXTURES / "attachments" / "report.pdf"  # the official template filled in (make_fixtures.py)
BLANK = SCANS / "template-2021-blank.pdf"  # the blank official template printed by LibreOffice


@dataclass(frozen=True)
class Scanner:
    """How one scan is made. ``angle`` is the first page's turn in degrees; each later page turns
    a little differently (a sheet is never fed twice the same way)."""

    dpi: int = 200
    angle: float = 0.0
    blur: float = 0.0  # Gaussian radius in pixels
    noise: float = 0.0  # standard deviation of the paper noise, grey levels
    quality: int = 0  # JPEG quality; 0: lossless
    stamp: bool = False  # a red 公章 over the corner of the first table
    seed: int = 0

    def pages(self, pdf: bytes) -> list[Image.Image]:
        import pypdfium2

        rng = np.random.default_rng(self.seed)
        doc = pypdfium2.PdfDocument(pdf)
        out = []
        try:
            for n in range(len(doc)):
                page = doc[n].render(scale=self.dpi / 72).to_pil().convert("RGB")
                if self.stamp and n == 0:
                    page = stamp(page, self.dpi)
                angle = self.angle if n == 0 else self.angle * float(rng.uniform(-1, 1))
                out.append(self.degrade(page, angle, rng))
        finally:
            doc.close()
        return out

    def degrade(self, page: Image.Image, angle: float, rng) -> Image.Image:
        colour = self.stamp
        if not colour:
            page = page.convert("L")
        fill = (255, 255, 255) if colour else 255
        page = page.rotate(angle, resample=Image.BICUBIC, fillcolor=fill)
        if self.blur:
            page = page.filter(ImageFilter.GaussianBlur(self.blur))
        if self.noise:
            pixels = np.asarray(page).astype(np.float32)
            shape = pixels.shape[:2] + ((1,) if colour else ())
            pixels += rng.normal(0, self.noise, shape).astype(np.float32)
            page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        if self.quality:
            buf = io.BytesIO()
            page.save(buf, "JPEG", quality=self.quality)
            page = Image.open(io.BytesIO(buf.getvalue()))
            page.load()
        return page

    def pdf(self, pdf: bytes) -> bytes:
        """An image-only PDF: one picture a page, as a scanner's "scan to PDF" writes."""
        pages = self.pages(pdf)
        buf = io.BytesIO()
        pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=self.dpi)
        return buf.getvalue()

    def image(self, pdf: bytes, page: int, fmt: str) -> bytes:
        buf = io.BytesIO()
        self.pages(pdf)[page].save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        return buf.getvalue()

    def tiff(self, pdf: bytes) -> bytes:
        """All pages in one multi-page TIFF (fax-style)."""
        pages = self.pages(pdf)
        buf = io.BytesIO()
        pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
        return buf.getvalue()


def stamp(page: Image.Image, dpi: int) -> Image.Image:
    """A red seal (公章: a ring, a star, an arc of characters' strokes) over the top-right corner of
    the page's first ruled table, half transparent as red ink over black print is."""
    gray = np.asarray(page.convert("L"))
    rows = np.nonzero((gray < 128).sum(axis=1) > 0.6 * gray.shape[1])[0]
    cols = np.nonzero((gray < 128).sum(axis=0) > 0.1 * gray.shape[0])[0]
    top = int(rows[0]) if len(rows) else gray.shape[0] // 3
    right = int(cols[-1]) if len(cols) else gray.shape[1] * 4 // 5
    r = int(dpi * 0.8)  # a 4 cm seal
    seal = Image.new("L", page.size, 0)
    draw = ImageDraw.Draw(seal)
    cx, cy = right - r // 2, top + r // 3
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=max(3, r // 14))
    star = [
        (
            cx + r * 0.3 * np.cos(np.pi / 2 + k * 4 * np.pi / 5),
            cy - r * 0.3 * np.sin(np.pi / 2 + k * 4 * np.pi / 5),
        )
        for k in range(5)
    ]
    draw.polygon(star, fill=255)
    for k in range(14):  # the agency's name around the rim, as short strokes
        a = np.pi * (0.15 + 0.7 * k / 13)
        x, y = cx - 0.72 * r * np.cos(a), cy - 0.72 * r * np.sin(a)
        draw.rectangle((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), fill=255)
    red = Image.new("RGB", page.size, (215, 30, 40))
    return Image.composite(Image.blend(page, red, 0.75), page, seal.filter(ImageFilter.GaussianBlur(1)))


def print_blank_template() -> None:
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "template-2021-blank.docx"
        shutil.copy(SHARED / "realworld" / "template-2021-blank.docx", src)
        profile = pathlib.Path(tmp) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.copy(src.with_suffix(".pdf"), BLANK)


def main() -> None:
    SCANS.mkdir(exist_ok=True)
    print_blank_template()
    print(BLANK, BLANK.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
