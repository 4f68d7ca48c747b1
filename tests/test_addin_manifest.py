"""The add-in manifest as `fourgood serve --hostname` serves it: every address in it is https on the
configured host (with or without a port), what it names is served, and it declares the Excel API
requirement sets the click cannot work without (the optional ones are detected at run time)."""

from __future__ import annotations

import importlib.util
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

if importlib.util.find_spec("xlwings_server") is None:
    pytest.skip("the server extra is not installed", allow_module_level=True)
import urllib.request  # noqa: E402

from .server_process import Served  # noqa: E402

pytestmark = pytest.mark.slow  # a real server process, node, LibreOffice or a whole demo

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
SCHEMA_NAMESPACES = {NS["o"], NS["bt"], "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
                     "http://www.w3.org/2001/XMLSchema-instance"}


def _get(server: Served, path: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(server.url + path, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


@pytest.fixture(scope="module", params=["forms.example.gov.vn", "forms.example.gov.vn:8443"])
def served(request, tmp_path_factory):
    """`fourgood serve --hostname H` on 127.0.0.1 (behind the province's HTTPS proxy in real use)."""
    tmp = tmp_path_factory.mktemp("manifest")
    with Served(tmp / "hop-thu", None, licence=True, log=tmp / "serve.log", hostname=request.param) as server:
        yield server


def test_every_address_in_the_manifest_is_https_on_the_configured_host_and_served(served):
    hostname = served.hostname
    xml = _get(served, "/manifest.xml")[2].decode("utf-8")
    root = ET.fromstring(xml.encode("utf-8"))
    urls = set(re.findall(r'"(https?://[^"]*)"', xml)) | {e.text for e in root.iter(f"{{{NS['o']}}}AppDomain")}
    urls -= SCHEMA_NAMESPACES
    assert len(urls) >= 6
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.netloc == hostname, url
    icons = [u for u in urls if u.endswith(".png")]
    assert len(icons) == 4  # IconUrl (32), HighResolutionIconUrl (64) and the ribbon's 16/32/80
    for url in urls:
        path = urlsplit(url).path or "/"
        status, kind, body = _get(served, path)
        assert status == 200, url
        if path.endswith(".png"):
            assert kind == "image/png" and body[:8] == b"\x89PNG\r\n\x1a\n", url


def test_the_manifest_declares_the_requirement_sets_the_click_needs(served):
    root = ET.fromstring(_get(served, "/manifest.xml")[2])
    sets = {s.get("Name"): s.get("MinVersion") for s in root.findall("o:Requirements/o:Sets/o:Set", NS)}
    # xlwings Server's client reads the book with ExcelApi 1.9 calls (print areas, shapes); the buttons
    # run in the shared runtime; alerts are dialogs. Notes (ExcelApi 1.18) must not be required.
    assert sets == {"ExcelApi": "1.9", "SharedRuntime": "1.1", "DialogApi": "1.1"}
