"""OCR for scanned pages and images: RapidOCR (ONNX models shipped in the wheel, no download)
reads text boxes; the table's ruling lines are found in the image with OpenCV, turned into cells
by pdfplumber's own table algorithm, and each text box goes to the cell holding its centre."""

import copy
import re
import threading
import time
import unicodedata
from io import BytesIO

import numpy as np

from . import layout
from .document import LOW_CONFIDENCE, Document
from .errors import ParseError, Unsupported

OCR_DPI = 200  # enough for 10.5pt CJK; more costs seconds per page for nothing
MAX_PIXELS = 60_000_000
MAX_SKEW = 5.0  # degrees a scanned page may be turned
NUMBER_WIDTH = 160  # half the recogniser's usual width: a third less time per page, same readings
DETECT_SIDE = 1400  # the detector's copy of the page: its long side in pixels
RULE_COVER = 0.75  # a vertical rule covers this share of its row band, at least (a 1 less)
MIN_BOX_SCORE = 0.3  # a detector box read with less confidence is noise, not text
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
_JUNK = "[](){}|:;,.'\"_~!-—–=·`^*"
_PLAUSIBLE = re.compile(
    r"^(?:(?:减少|增加|减|增|[+-])?\d[\d,]*(?:\.\d+)?\s*(?:%|万元|元|件|个|项|次|条|份|宗|家)?|[-—–/／]*)$"
)
_engine = None
_numbers = None
_threads = None  # onnxruntime's intra-op threads; None: one per core this process may use
# What the recogniser reads instead of a lone digit when it lacks the context of a number.
_DIGIT_LOOKALIKES = str.maketrans(
    {"o": "0", "O": "0", "。": "0", "〇": "0", "l": "1", "I": "1", "|": "1", "L": "1"}
)
_lock = threading.Lock()


def use_threads(threads: int) -> None:
    """Threads the OCR models may run on in this process, set before the first page is read: a
    parse worker sharing the cores with other workers runs on one (threads for cores it was not
    given only wait for each other)."""
    global _threads
    _threads = max(1, threads)


def engine():
    """One RapidOCR instance per process: loading the models takes about a second."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as e:
                raise Unsupported(f"OCR is not installed (rapidocr-onnxruntime): {e}") from e
            import os

            threads = _threads or len(os.sched_getaffinity(0))
            _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        return _engine


def number_reader():
    """The recogniser for short cells: the same model, fed inputs NUMBER_WIDTH pixels wide
    instead of 320 (a number is a few characters; the padding would cost most of the time)."""
    global _numbers
    whole = engine().text_rec
    with _lock:
        if _numbers is None:
            _numbers = copy.copy(whole)
            _numbers.rec_image_shape = [3, 48, NUMBER_WIDTH]
            _numbers.rec_batch_num = 16
    return _numbers


def read_image(data: bytes) -> Document:
    """An image, or each page of a multi-page TIFF (fax-style scans), read by OCR."""
    from PIL import Image, ImageSequence

    from .limits import MAX_OCR_PAGES, MAX_SECONDS

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    pages, warnings = [], ["read by OCR"]
    started = time.monotonic()
    try:
        with Image.open(BytesIO(data)) as im:
            for n, frame in enumerate(ImageSequence.Iterator(im)):
                if n >= MAX_OCR_PAGES:
                    warnings.append(f"pages after {MAX_OCR_PAGES} not read")
                    break
                if time.monotonic() - started > MAX_SECONDS:  # as a PDF: what was read is kept
                    warnings.append(f"stopped at page {n + 1}: over {MAX_SECONDS} s for one image file")
                    break
                if frame.width * frame.height > MAX_PIXELS:
                    raise ParseError(
                        f"image of {frame.width}x{frame.height} pixels is too large (limit {MAX_PIXELS})"
                    )
                pages.append(read_array(frame.convert("RGB")))
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise ParseError(f"unreadable image: {e}") from e
    text, tables, scores = layout.assemble(pages)
    if not text.strip():
        raise ParseError("OCR found no text in the image")
    return Document(text=text, tables=tables, kind="image", warnings=warnings, scores=scores)


def read_array(image) -> layout.Page:
    """Read one page image (PIL RGB image) into text lines and table blocks.

    The page is levelled, its ruled tables found on the black print (coloured ink, a red seal,
    dropped), text found by the detector on a reduced copy (text lines stay 15-20 pixels high,
    whatever the scan's resolution) and read by the recogniser at full resolution. A table cell
    holding one short run (a number) is read once, on its own cleaned ink, instead of the
    detector's box; the other cells, and the text around the tables, from the detector's boxes.
    """
    rgb = np.asarray(image)
    angle = skew(rgb.max(axis=2))
    rgb = rotate(rgb, angle) if angle else rgb
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    # Black print: the brightest channel, in which red or blue ink (seals, signatures) is paper.
    print_ = np.ascontiguousarray(rgb.max(axis=2))
    tables, rules = ruled_tables(print_)
    found = detect(bgr)
    height = float(np.median([b.height for b in found])) if found else 0.0
    inner = [[b for b in found if layout.inside(b, cell)] for cells in tables for cell in cells]
    flat_cells = [cell for cells in tables for cell in cells]
    short = [is_short(boxes, cell) for boxes, cell in zip(inner, flat_cells, strict=True)]
    in_short = {id(b) for boxes, s in zip(inner, short, strict=True) if s for b in boxes}
    to_read = [b for b in found if id(b) not in in_short]
    readings = recognise(print_, bgr, to_read, tables)
    boxes = []
    for box, (text, score) in zip(to_read, readings, strict=True):
        text = layout.clean_text(text)
        if text and score >= MIN_BOX_SCORE:
            boxes.append(layout.Box(box.x0, box.top, box.x1, box.bottom, text, score))
    numbers = read_cells(
        np.where(rules, 255, print_).astype(np.uint8),
        [c for c, s in zip(flat_cells, short, strict=True) if s],
        height,
    )
    blocks, k, n = [], 0, 0
    for cells in tables:
        read = []
        for cell in cells:
            if short[k]:
                read.append((cell, *numbers[n]))
                n += 1
            else:
                read.append((cell, *cell_text(cell, boxes)))
            k += 1
        blocks += layout.blocks_from_cells(read, tolerance=max(6.0, rgb.shape[1] / 300))
    return layout.page_from([b for b in boxes if not any(layout.inside(b, c) for c in flat_cells)], blocks)


def detect(bgr: np.ndarray) -> list[layout.Box]:
    """Text boxes found by the detector on a copy of the page at most DETECT_SIDE pixels long."""
    import cv2

    scale = min(1.0, DETECT_SIDE / max(bgr.shape[:2]))
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else bgr
    points, _ = engine().text_det(small)
    out = []
    for quad in [] if points is None else points:
        xs, ys = quad[:, 0] / scale, quad[:, 1] / scale
        out.append(layout.Box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()), ""))
    return out


def recognise(
    print_: np.ndarray, bgr: np.ndarray, boxes: list[layout.Box], tables
) -> list[tuple[str, float]]:
    """Text and score of each box: inside a table from the black print (a seal over a corner
    vanishes), elsewhere from the page as it is (a red letterhead stays)."""
    cells = [cell for cells in tables for cell in cells]
    crops = []
    for b in boxes:
        x0, top = max(int(b.x0) - 2, 0), max(int(b.top) - 2, 0)
        x1, bottom = int(b.x1) + 3, int(b.bottom) + 3
        if any(layout.inside(b, c) for c in cells):
            crop = np.stack([print_[top:bottom, x0:x1]] * 3, axis=2)
        else:
            crop = bgr[top:bottom, x0:x1]
        if crop.shape[0] > 1.5 * crop.shape[1]:
            crop = np.rot90(crop)  # a vertical run of characters, as the recogniser expects it
        crops.append(np.ascontiguousarray(crop))
    if not crops:
        return []
    results, _ = engine().text_rec(crops)
    return [(text.strip(), float(score)) for text, score in results]


def is_short(boxes: list[layout.Box], cell: layout.Bbox) -> bool:
    """A cell read on its own ink: one run on one line, a few characters long (a number), or no
    run found at all (the detector misses lone digits in wide cells)."""
    if not boxes:
        return True
    lines = layout.lines_of(boxes)
    return len(lines) == 1 and (lines[0].boxes[-1].x1 - lines[0].boxes[0].x0) < 4 * max(
        b.height for b in boxes
    )


def read_cells(gray: np.ndarray, cells: list[layout.Bbox], height: float) -> list[tuple[str, float | None]]:
    """Text and confidence of short cells, each read alone on its cleaned ink with a white margin:
    on a whole page the recogniser reads a lone 0 as "o" and 1 as "L", and a rest of a ruling line
    as 1. A reading that is neither a plausible value nor a word is doubtful (confidence 0); ink
    smaller than half a character (a speck, a rule's stub) is a blank cell."""
    crops, which = [], []
    out: list[tuple[str, float | None]] = [("", None)] * len(cells)
    for k, cell in enumerate(cells):
        x0, top, x1, bottom = (int(round(v)) for v in cell)
        ink = cell_ink(gray[top + 2 : bottom - 1, x0 + 2 : x1 - 1])
        if ink is None or (height and ink.shape[0] < 0.45 * height):
            continue
        pad = max(4, ink.shape[0] // 2)
        padded = np.pad(ink, pad, constant_values=255)
        crops.append(np.ascontiguousarray(np.stack([padded] * 3, axis=2)))
        which.append(k)
    if crops:
        results, _ = number_reader()(crops)
        for k, (text, score) in zip(which, results, strict=True):
            text = layout.clean_cell(unicodedata.normalize("NFKC", text))
            if not _IDEOGRAPH.search(text):
                text = text.translate(_DIGIT_LOOKALIKES)
            score = float(score)
            if not is_plausible(text):
                # Rests of a rule or specks at the ends ("8-", "5!"): the value inside is kept, as doubtful.
                trimmed = text.strip(_JUNK)
                text, score = (
                    (trimmed, min(score, LOW_CONFIDENCE / 2)) if is_plausible(trimmed) else (text, 0.0)
                )
            out[k] = (text, score)
    return out


def is_plausible(text: str) -> bool:
    """What a table cell can hold: a value (digits, 减/增 or a sign, a decimal point, a unit, a
    dash for none) or words (a label, a heading)."""
    return bool(_PLAUSIBLE.match(text)) or sum(layout.is_cjk(ch) for ch in text) >= max(1, len(text) // 2)


def cell_ink(cell: np.ndarray) -> np.ndarray | None:
    """The cell's writing on white: rests of the ruling lines (long pieces touching the crop's
    edge) and specks of scanner noise removed; None for a blank cell."""
    import cv2

    if cell.size == 0 or cell.min() > 150:
        return None
    _, ink = cv2.threshold(cell, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    h, w = ink.shape
    # Rule pieces first (a digit blurred into a rule must survive), then what is left of them.
    rules = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 2, 3), 1))
    )
    rules |= cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h * 3 // 4, 3)))
    )
    ink &= ~rules
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = []
    for i in range(1, count):
        x, y, cw, ch, area = stats[i]
        edge = x == 0 or y == 0 or x + cw >= w or y + ch >= h
        if edge and (cw > 0.5 * w or ch > 0.7 * h or min(cw, ch) <= 0.1 * h + 1 or area < 10):
            continue
        if area < max(5, 0.004 * h * h):
            continue
        keep.append(i)
    if not keep:
        return None
    # A decimal point is as small as a speck: kept when it sits low between kept characters.
    left = min(stats[i][0] for i in keep)
    right = max(stats[i][0] + stats[i][2] for i in keep)
    top = min(stats[i][1] for i in keep)
    bottom = max(stats[i][1] + stats[i][3] for i in keep)
    for i in range(1, count):
        x, y, cw, ch, area = stats[i]
        if i not in keep and area >= 2 and left < x and x + cw < right and y > top + 0.6 * (bottom - top):
            keep.append(i)
    mask = np.isin(labels, keep)
    ys, xs = np.nonzero(mask)
    clean = np.where(mask, cell, 255).astype(np.uint8)
    return clean[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def skew(gray: np.ndarray) -> float:
    """The page's turn in degrees (within MAX_SKEW), from its rows of ink: turned back by the right
    angle, the ruling lines and text lines make the sharpest profile of ink per row."""
    import cv2

    scale = min(1.0, 800 / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() < 0.002:
        return 0.0
    ink = ink.astype(np.float32)
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), (w, h))
        return float((np.diff(turned.sum(axis=1)) ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    best = max(np.arange(best - 0.1, best + 0.101, 0.025), key=sharpness)
    return float(best) if abs(best) >= 0.05 else 0.0


def rotate(rgb: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def cell_text(cell: layout.Bbox, boxes: list[layout.Box]) -> tuple[str, float | None]:
    """A cell's lines (a label over two or three lines stays one cell) and its least confidence."""
    inside = [b for b in boxes if layout.inside(b, cell)]
    lines = layout.lines_of(inside)
    text = layout.clean_cell("\n".join(" ".join(b.text for b in ln.boxes) for ln in lines))
    return text, min((b.score for b in inside), default=None)


def ruled_tables(gray: np.ndarray) -> tuple[list[list[layout.Bbox]], np.ndarray]:
    """Cells of the ruled tables in a grey image, and the mask of their ruling lines: long thin
    dark runs. Specks are smoothed away first (a faint rule under paper noise stays one run),
    gaps in a broken rule are bridged, and the two strokes of a doubled rule made one."""
    import cv2

    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    ink = cv2.adaptiveThreshold(~smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
    # Longer than any character stroke, shorter than a table's narrowest cell side.
    h_len, v_len = max(width // 30, 20), max(height // 60, 20)
    near = max(3, width // 400)  # doubled rules lie this close

    def runs(shape: tuple[int, int], bridge: tuple[int, int], thick: tuple[int, int]) -> np.ndarray:
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
        return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, thick))

    horizontal = runs((h_len, 1), (h_len // 2, near), (1, 3))
    vertical = runs((1, v_len), (near, v_len // 2), (3, 1))
    tolerance = max(3, width / 400)
    lines = [
        cv2.boundingRect(c)
        for c in cv2.findContours(horizontal, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    ]
    pieces = [
        cv2.boundingRect(c) for c in cv2.findContours(vertical, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    ]
    across = [(x, x + w, y + h / 2) for x, y, w, h in lines]
    kept = vertical_rules(across, pieces, reach=h_len, tolerance=tolerance)
    ruled = np.zeros_like(vertical)
    for x, y, w, h in kept:
        ruled[y : y + h, x : x + w] = vertical[y : y + h, x : x + w]
    rules = cv2.dilate(horizontal | ruled, np.ones((3, 3), np.uint8)) > 0
    edges = [{"x0": x0, "x1": x1, "top": y, "bottom": y, "orientation": "h"} for x0, x1, y in across]
    edges += [
        {"x0": x + w / 2, "x1": x + w / 2, "top": y, "bottom": y + h, "orientation": "v"}
        for x, y, w, h in kept
    ]
    if not edges:
        return [], rules
    # A piece of a horizontal rule shorter than the finder's length is lost: the rule may stop
    # that far short of the vertical one it meets. (Vertical pieces that short are strokes of
    # characters as often as rules: no such reach for them.)
    return layout.cells_from_edges(edges, tolerance, reach=(h_len, tolerance)), rules


def vertical_rules(
    across: list[tuple[float, float, float]],
    pieces: list[tuple[int, int, int, int]],
    reach: float,
    tolerance: float,
) -> list[tuple[int, int, int, int]]:
    """The vertical runs (x, y, w, h) that are ruling lines, not the stem of a 1 or a character's
    stroke: a rule crosses a horizontal rule, or it (with the other runs on its line) covers most
    of the band between the horizontal rules above and below it. A digit's stroke stands inside
    a cell, clear of both; erased as a rule, 17 would be read as 7. ``across`` are horizontal
    rules (x0, x1, y); ``reach`` is how far a horizontal rule may stop short of a vertical one."""
    kept = []
    for x, y, w, h in pieces:
        middle, top, bottom = x + w / 2, y, y + h
        ys = sorted(r for x0, x1, r in across if x0 - reach <= middle <= x1 + reach)
        if any(top + tolerance < r < bottom - tolerance for r in ys):
            kept.append((x, y, w, h))
            continue
        centre = y + h / 2
        above = [r for r in ys if r <= centre]
        below = [r for r in ys if r > centre]
        if not above or not below:
            continue
        band = (above[-1], below[0])
        covered = np.zeros(int(band[1] - band[0]) + 1, bool)
        for px, py, pw, ph in pieces:
            if abs(px + pw / 2 - middle) <= tolerance:
                lo, hi = max(py, band[0]), min(py + ph, band[1])
                if hi > lo:
                    covered[int(lo - band[0]) : int(hi - band[0]) + 1] = True
        if covered.mean() >= RULE_COVER:
            kept.append((x, y, w, h))
    return kept
