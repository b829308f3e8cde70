"""Small real files for attachment tests, made on the spot: PNG, JPEG, GIF and WebP images drawn with
Pillow, and a minimal PDF."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(width: int = 64, height: int = 48, *, format: str = "PNG", color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if format == "JPEG" else "RGBA"
    Image.new(mode, (width, height), color).save(out, format=format)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    return image_bytes(width, height, format="PNG")


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
