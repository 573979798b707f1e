"""OCR for scanned pages and images: RapidOCR (ONNX models shipped in the wheel, no download)
reads text boxes; the table's ruling lines are found in the image with OpenCV, turned into cells
by pdfplumber's own table algorithm, and each text box goes to the cell holding its centre."""

import threading
from io import BytesIO

import numpy as np

from . import layout
from .document import Document
from .errors import ParseError, Unsupported

OCR_DPI = 200  # enough for 10.5pt CJK; more costs seconds per page for nothing
MAX_PIXELS = 60_000_000
_engine = None
# What the recogniser reads instead of a lone digit when it lacks the context of a number.
_DIGIT_LOOKALIKES = str.maketrans(
    {"o": "0", "O": "0", "。": "0", "〇": "0", "l": "1", "I": "1", "|": "1", "L": "1"}
)
_lock = threading.Lock()


def engine():
    """One RapidOCR instance per process: loading the models takes about a second."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as e:
                raise Unsupported(f"OCR is not installed (rapidocr-onnxruntime): {e}") from e
            _engine = RapidOCR()
        return _engine


def read_image(data: bytes) -> Document:
    """An image, or each page of a multi-page TIFF (fax-style scans), read by OCR."""
    from PIL import Image, ImageSequence

    from .limits import MAX_OCR_PAGES

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    pages, warnings = [], ["read by OCR"]
    try:
        with Image.open(BytesIO(data)) as im:
            for n, frame in enumerate(ImageSequence.Iterator(im)):
                if n >= MAX_OCR_PAGES:
                    warnings.append(f"pages after {MAX_OCR_PAGES} not read")
                    break
                if frame.width * frame.height > MAX_PIXELS:
                    raise ParseError(
                        f"image of {frame.width}x{frame.height} pixels is too large (limit {MAX_PIXELS})"
                    )
                pages.append(read_array(frame.convert("RGB")))
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise ParseError(f"unreadable image: {e}") from e
    text, tables = layout.assemble(pages)
    if not text.strip():
        raise ParseError("OCR found no text in the image")
    return Document(text=text, tables=tables, kind="image", warnings=warnings)


def read_array(image) -> layout.Page:
    """Read one page image (PIL RGB image) into text lines and table blocks."""
    rgb = np.asarray(image)
    bgr = straighten(np.ascontiguousarray(rgb[:, :, ::-1]))
    result, _ = engine()(bgr, use_cls=False)  # pages are upright; the angle classifier doubles the time
    boxes = []
    for points, text, _score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        if text.strip():
            boxes.append(layout.Box(min(xs), min(ys), max(xs), max(ys), text.strip()))
    blocks = []
    for cells in ruled_tables(bgr):
        texts = reread(bgr, cells, [cell_text(c, boxes) for c in cells])
        blocks += layout.blocks_from_cells(list(zip(cells, texts, strict=True)), tolerance=6)
    return layout.page_from(boxes, blocks)


def reread(bgr: np.ndarray, cells: list[layout.Bbox], texts: list[str]) -> list[str]:
    """Read short non-CJK cells (the numbers) again, one cropped cell at a time.

    On a whole page the detector misses lone digits in wide cells or reads 0 as "o" and 1 as "L";
    the recogniser alone on the cell's cleaned ink, with a white margin, reads them right. A
    re-read that is no number does not replace a page-wide reading that is one.
    """
    gray = bgr.min(axis=2)
    crops, which = [], []
    for k, (cell, text) in enumerate(zip(cells, texts, strict=True)):
        if len(text) > 12 or any(layout.is_cjk(ch) for ch in text):
            continue
        x0, top, x1, bottom = (int(round(v)) for v in cell)
        ink = cell_ink(gray[top + 2 : bottom - 1, x0 + 2 : x1 - 1])
        if ink is None:
            texts[k] = ""  # no ink: a blank cell, whatever the page-wide pass thought
            continue
        pad = max(4, ink.shape[0] // 2)
        padded = np.pad(ink, pad, constant_values=255)
        crops.append(np.ascontiguousarray(np.stack([padded] * 3, axis=2)))
        which.append(k)
    if crops:
        results, _ = engine().text_rec(crops)
        for k, (text, _score) in zip(which, results, strict=True):
            again = layout.clean_cell(text).translate(_DIGIT_LOOKALIKES).strip("[]()|:;,.'\"_~")
            if again and (layout.is_number(again) or not layout.is_number(texts[k])):
                texts[k] = again
    return texts


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
    mask = np.isin(labels, keep)
    ys, xs = np.nonzero(mask)
    clean = np.where(mask, cell, 255).astype(np.uint8)
    return clean[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def straighten(bgr: np.ndarray) -> np.ndarray:
    """Undo a scan's small rotation, measured on the long straight lines (table rules, text
    baselines): the ruling-line finder needs them level."""
    import cv2

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, None, fx=min(1.0, 1000 / gray.shape[1]), fy=min(1.0, 1000 / gray.shape[1]))
    edges = cv2.Canny(small, 50, 150)
    width = small.shape[1]
    # 0.25-degree steps: the line finder tolerates what is left (a 1-pixel drift over its kernel).
    lines = cv2.HoughLinesP(edges, 1, np.pi / 720, threshold=150, minLineLength=width // 3, maxLineGap=6)
    if lines is None:
        return bgr
    angles = [
        np.degrees(np.arctan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in lines.reshape(-1, 4).astype(float)
    ]
    angles = [a for a in angles if abs(a) < 5]
    if len(angles) < 3:
        return bgr
    angle = float(np.median(angles))
    if abs(angle) < 0.15:
        return bgr
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(bgr, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def cell_text(cell: layout.Bbox, boxes: list[layout.Box]) -> str:
    lines = layout.lines_of([b for b in boxes if layout.inside(b, cell)])
    return layout.clean_cell("\n".join(" ".join(b.text for b in ln.boxes) for ln in lines))


def ruled_tables(bgr: np.ndarray) -> list[list[layout.Bbox]]:
    """Cells of the ruled tables in an image: long thin dark runs are the ruling lines."""
    import cv2

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(~gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
    # Longer than any character stroke, shorter than a table's narrowest cell side.
    h_len, v_len = max(width // 30, 20), max(height // 60, 20)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    edges = []
    for mask, orientation in ((horizontal, "h"), (vertical, "v")):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if orientation == "h":
                edges.append(
                    {"x0": x, "x1": x + w, "top": y + h / 2, "bottom": y + h / 2, "orientation": "h"}
                )
            else:
                edges.append(
                    {"x0": x + w / 2, "x1": x + w / 2, "top": y, "bottom": y + h, "orientation": "v"}
                )
    if not edges:
        return []
    return layout.cells_from_edges(edges, tolerance=max(3, width / 400))
