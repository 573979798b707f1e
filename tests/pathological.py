"""Pathological inputs made at run time (none is committed): a huge page, a deep tree, a long PDF,
a sheet of a million cells. Used by tests/test_limits.py and benchmarks/limits.py."""

import io
import random
import zipfile

from govreports.crawler.portals.build import paragraphs_and_tables

REPORT_TEXT = (
    "一、总体情况\n2021年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
)


def report_page(text: str = REPORT_TEXT, filler_bytes: int = 0) -> bytes:
    """A report page (the sample portals' builder) padded with paragraphs to about ``filler_bytes``."""
    head = (
        "<html><head><meta charset='utf-8'><title>2021年政府信息公开工作年度报告</title></head>"
        f"<body><div class='article'>{paragraphs_and_tables(text)}"
    ).encode()
    para = ("<p>" + "本机关依法依规做好政府信息公开工作。" * 40 + "</p>\n").encode()
    return head + para * (filler_bytes // len(para)) + b"</div></body></html>"


def page_with_inline_picture(picture_bytes: int, text: str = REPORT_TEXT) -> bytes:
    """A report page carrying one inlined (base64 data: URI) picture of about ``picture_bytes``."""
    picture = b"A" * picture_bytes
    page = report_page(text)
    return page.replace(b"</div></body>", b"<img src='data:image/png;base64," + picture + b"'></div></body>")


def deep_page(depth: int) -> bytes:
    return (
        b"<html><body>"
        + b"<div>" * depth
        + "政府信息公开工作年度报告".encode()
        + b"</div>" * depth
        + b"</body></html>"
    )


def long_pdf(pages: int, line: str = "Government information disclosure annual report") -> bytes:
    """A PDF of ``pages`` pages of text, written by hand (objects, xref table, trailer)."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        None,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for p in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({line}, page {p + 1}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        content = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _column(i: int) -> str:
    name = ""
    while i >= 0:
        name = chr(65 + i % 26) + name
        i = i // 26 - 1
    return name


def big_sheet(rows: int, columns: int = 10) -> bytes:
    """An XLSX of one sheet of rows x columns numbers, with no <dimension> (nothing to trust
    before reading), written by hand."""
    rng = random.Random(0)
    cols = [_column(c) for c in range(columns)]
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/')
    sheet.write('spreadsheetml/2006/main"><sheetData>')
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{c}{r}"><v>{rng.randrange(10**6)}</v></c>' for c in cols)
        sheet.write(f'<row r="{r}">{cells}</row>')
    sheet.write("</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()
