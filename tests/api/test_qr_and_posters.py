"""QR codes decode, with a real decoder, to the unit's public URL; posters are printable PDFs that carry them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from ..conftest import PUBLIC_BASE_URL, skip_or_fail
from ..factories import create_campaign, create_unit


@pytest.fixture
def campaign(db_session):
    units = [
        create_unit(code="T01", name="城关街道"),
        create_unit(code="S01", name="卫生健康局", category="社会事业部门"),
    ]
    return create_campaign(units)


def unit_url(campaign, code: str) -> str:
    link = next(link for link in campaign.links if link.unit.code == code)
    return f"{PUBLIC_BASE_URL}/s/{link.link_token}"


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_png_qr_code_decodes_to_the_units_url(admin_client, campaign):
    response = admin_client.get(f"/api/v1/campaigns/{campaign.id}/units/T01/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(response.data))) == [unit_url(campaign, "T01")]


def rasterise_svg(svg: str, scale: int = 10) -> Image.Image:
    """Draw the one-path SVG the product writes (unit squares "Mx,yH..V..H..z") so a decoder can read it."""
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (width * scale, width * scale), 255)
    draw = ImageDraw.Draw(image)
    squares = re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H[\d.]+z", svg)
    assert squares, "no modules found in the SVG path"
    for x0, y0, x1, y1 in squares:
        draw.rectangle([float(x0) * scale, float(y0) * scale, float(x1) * scale - 1, float(y1) * scale - 1], fill=0)
    return image


def test_the_svg_qr_code_decodes_to_the_units_url(admin_client, campaign):
    response = admin_client.get(f"/api/v1/campaigns/{campaign.id}/units/S01/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert decode(rasterise_svg(response.data.decode())) == [unit_url(campaign, "S01")]


def pdf_pages(pdf: bytes, tmp_path) -> list[Image.Image]:
    if not shutil.which("pdftoppm"):
        skip_or_fail("pdftoppm (Debian's poppler-utils) is needed to render posters")
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / "page")], check=True, timeout=60)
    return [Image.open(p) for p in sorted(tmp_path.glob("page*.png"))]


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")


def test_a_units_poster_is_an_a4_page_with_its_name_instruction_and_a_working_code(admin_client, campaign, tmp_path):
    response = admin_client.get(f"/api/v1/campaigns/{campaign.id}/units/T01/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = pdf_pages(response.data, tmp_path)
    assert abs(page.width / page.height - 210 / 297) < 0.01  # A4 portrait
    assert decode(page) == [unit_url(campaign, "T01")]
    text = pdf_text(response.data, tmp_path)
    assert "城关街道" in text and "扫描二维码" in text and campaign.title in text


def test_the_campaign_poster_pack_has_one_page_per_unit_in_code_order(admin_client, campaign, tmp_path):
    response = admin_client.get(f"/api/v1/campaigns/{campaign.id}/posters.pdf")
    pages = pdf_pages(response.data, tmp_path)
    assert [decode(page) for page in pages] == [[unit_url(campaign, "S01")], [unit_url(campaign, "T01")]]


def test_qr_files_for_an_unknown_unit_or_campaign_are_404(admin_client, campaign):
    assert admin_client.get(f"/api/v1/campaigns/{campaign.id}/units/NOPE/qr.png").get_json()["code"] == "unit.not_found"
    assert admin_client.get("/api/v1/campaigns/999999/posters.pdf").get_json()["code"] == "campaign.not_found"
