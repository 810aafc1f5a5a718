"""The installable web app: its manifest, its icons, and the page head that points to them."""

import io
import json

import pytest
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_site_an_installable_app():
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["short_name"]) == ("一门式政务服务", "一门")
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    assert manifest["theme_color"] == "#0b4f9c"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert sizes == {"192x192", "512x512"}


@pytest.mark.parametrize("size", [192, 512])
def test_each_icon_is_a_png_of_its_size(size):
    response = Client().get(f"/icons/yimen-{size}.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "max-age=604800" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (size, size))
    assert image.getpixel((0, 0)) == (11, 79, 156)
    assert image.getpixel((size // 2, size // 2)) == (255, 255, 255)


def test_an_icon_size_not_offered_is_not_found():
    assert Client().get("/icons/yimen-64.png").status_code == 404


def test_every_page_links_the_manifest_and_the_theme_colour():
    html = Client().get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b4f9c">' in html
    assert '<link rel="apple-touch-icon" href="/icons/yimen-192.png">' in html


def test_the_svg_icon_is_served():
    response = Client().get("/static/portal/icons/yimen.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
