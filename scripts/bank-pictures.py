#!/usr/bin/env python3
"""Draws the pictures of the starter question banks (content/items/<framework>/media/).

Each picture is an illustration made here, not a screenshot of a real app: a plain phone screen
with Vietnamese labels, set in Noto Sans (data/fonts, SIL Open Font License). Run it again after a
change and commit the PNG files it writes; the platform reads only the PNGs.

    pip install pillow==13.0.0
    python3 scripts/bank-pictures.py
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "data" / "fonts"


def font(size, bold=False):
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def qr_icon(d, x, y, s, ink):
    """A QR-code-like mark: three finder squares and a few modules (no data: it scans as nothing)."""
    m = s // 7
    for fx, fy in [(0, 0), (4, 0), (0, 4)]:
        d.rectangle([x + fx * m, y + fy * m, x + (fx + 3) * m - 1, y + (fy + 3) * m - 1], outline=ink, width=max(2, m // 2))
        d.rectangle([x + (fx + 1) * m, y + (fy + 1) * m, x + (fx + 2) * m - 1, y + (fy + 2) * m - 1], fill=ink)
    for cx, cy in [(4, 4), (6, 4), (5, 5), (4, 6), (6, 6)]:
        d.rectangle([x + cx * m, y + cy * m, x + (cx + 1) * m - 1, y + (cy + 1) * m - 1], fill=ink)


def bank_home(path):
    """A banking app's home screen, made up: balance on top, four large buttons below."""
    w, h = 720, 1280
    img = Image.new("RGB", (w, h), (244, 246, 250))
    d = ImageDraw.Draw(img)
    blue, ink, white = (20, 70, 150), (25, 30, 40), (255, 255, 255)
    # Status bar and header.
    d.rectangle([0, 0, w, 60], fill=(12, 50, 115))
    d.text((24, 14), "09:41", font=font(28, True), fill=white)
    d.rectangle([0, 60, w, 380], fill=blue)
    d.text((40, 100), "NGÂN HÀNG MINH HOẠ", font=font(34, True), fill=white)
    d.text((40, 170), "Số dư tài khoản", font=font(30), fill=(210, 225, 250))
    d.text((40, 215), "2.350.000 đ", font=font(64, True), fill=white)
    d.text((40, 310), "Ảnh minh hoạ, không phải ứng dụng thật", font=font(26), fill=(210, 225, 250))
    # Four buttons, two by two.
    labels = ["Chuyển tiền", "Quét QR", "Lịch sử giao dịch", "Cài đặt"]
    bw, bh, gap, top = 300, 300, 40, 460
    for i, label in enumerate(labels):
        col, row = i % 2, i // 2
        x0 = 40 + col * (bw + gap)
        y0 = top + row * (bh + gap)
        d.rounded_rectangle([x0, y0, x0 + bw, y0 + bh], radius=28, fill=white, outline=(200, 208, 222), width=3)
        cx = x0 + bw // 2
        if label == "Quét QR":
            qr_icon(d, cx - 56, y0 + 50, 112, blue)
        elif label == "Chuyển tiền":
            d.line([cx - 60, y0 + 90, cx + 50, y0 + 90], fill=blue, width=10)
            d.polygon([(cx + 60, y0 + 90), (cx + 30, y0 + 65), (cx + 30, y0 + 115)], fill=blue)
            d.line([cx + 60, y0 + 140, cx - 50, y0 + 140], fill=blue, width=10)
            d.polygon([(cx - 60, y0 + 140), (cx - 30, y0 + 115), (cx - 30, y0 + 165)], fill=blue)
        elif label == "Lịch sử giao dịch":
            for k in range(4):
                d.line([cx - 60, y0 + 70 + k * 30, cx + 60, y0 + 70 + k * 30], fill=blue, width=8)
        else:
            d.ellipse([cx - 50, y0 + 60, cx + 50, y0 + 160], outline=blue, width=12)
            d.ellipse([cx - 18, y0 + 92, cx + 18, y0 + 128], fill=blue)
        f = font(34, True)
        words = label.split()
        lines = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])] if len(label) > 12 else [label]
        for k, line in enumerate(lines):
            tw = d.textlength(line, font=f)
            d.text((cx - tw / 2, y0 + 200 + k * 44 - (22 if len(lines) > 1 else 0)), line, font=f, fill=ink)
    img.save(path, optimize=True)


if __name__ == "__main__":
    out = ROOT / "content" / "items" / "digcomp22" / "media"
    out.mkdir(parents=True, exist_ok=True)
    bank_home(out / "man-hinh-ngan-hang.png")
