"""The add-in manifest as `fourgood serve --hostname` serves it: every address in it is https on the
configured host (with or without a port), what it names is served, it declares the Excel API
requirement sets the click cannot work without (the optional ones are detected at run time), its
shared runtime is wired as Microsoft's spec says, and it is valid against Microsoft's manifest XSD.

The XSD set is not in this repository (tests/schemas/office-manifest/README.md says which files,
from where, under which licence, and where they are looked for). It is Microsoft's last published
copy of the task-pane schemas, which predates `<Runtimes>`: the schema check validates the manifest
with `<Runtimes>` taken out when the schema set does not declare it, and
`test_the_shared_runtime_is_wired_as_microsofts_spec_says` checks that element against the
current spec ([MS-OWEMXML] 2.2.152 Host, 2.2.209 Runtimes) instead."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

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


OV = "http://schemas.microsoft.com/office/taskpaneappversionoverrides"
XSD_ROOT = "OfficeAppManifestV1_1.xsd"
XSD_NEEDED = (XSD_ROOT, "OfficeAppBasicTypesV1_0.xsd", "TaskPaneAppVersionOverridesV1_0.xsd")
XSD_DIR_ENV = "FOURGOOD_OFFICE_XSD_DIR"
XS = "http://www.w3.org/2001/XMLSchema"


def _schema_folder() -> Path | None:
    """FOURGOOD_OFFICE_XSD_DIR, else tests/schemas/office-manifest/, else `shared/office-manifest/`
    beside the checkout (CI gets shared/ there) or above it."""
    named = os.environ.get(XSD_DIR_ENV)
    here = Path(__file__).parent / "schemas" / "office-manifest"
    shared = [p / "shared" / "office-manifest" for p in Path(__file__).parents]
    candidates = [Path(named)] if named else [here, *shared]
    return next((c for c in candidates if all((c / n).is_file() for n in XSD_NEEDED)), None)


def _corrected(xsd: bytes) -> bytes:
    """Two known defects of Microsoft's published copies, corrected in memory (the files stay as
    published): a link rewrite in Microsoft's docs repository turned the W3C namespace names
    (XML Schema, XML-DSig) into https://, which no XSD processor accepts as XML Schema; and the
    version pattern's lazy quantifier `{0,3}?` is .NET regex, not XSD regex (it means the same for
    a whole-value match)."""
    return re.sub(rb"(\{\d+,\d+\})\?", rb"\1", xsd.replace(b'"https://www.w3.org/', b'"http://www.w3.org/'))


def _stand_in(namespace: str) -> bytes:
    """An imported schema the folder lacks (the content and mail add-in overrides, which a task-pane
    manifest never uses): its VersionOverrides element accepts anything."""
    return (f'<xs:schema xmlns:xs="{XS}" targetNamespace="{namespace}" elementFormDefault="qualified">'
            '<xs:element name="VersionOverrides"/></xs:schema>').encode()


class _SchemaFolder(etree.Resolver):
    """Every xs:import from the folder, corrected; a stand-in for a file it lacks."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.namespaces = {i.get("schemaLocation"): i.get("namespace")
                           for f in folder.glob("*.xsd")
                           for i in etree.fromstring(_corrected(f.read_bytes())).iter(f"{{{XS}}}import")}

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        path = self.folder / name
        if path.is_file():
            return self.resolve_string(_corrected(path.read_bytes()), context, base_url=str(path))
        if name in self.namespaces:
            return self.resolve_string(_stand_in(self.namespaces[name]), context)
        return None


@pytest.fixture(scope="module")
def manifest_schema() -> tuple[etree.XMLSchema, bool]:
    """(Microsoft's manifest schema, whether it declares <Runtimes>)."""
    folder = _schema_folder()
    if folder is None:
        pytest.skip(f"Microsoft's manifest XSD set is not on this machine: {', '.join(XSD_NEEDED)} in "
                    "tests/schemas/office-manifest/, in shared/office-manifest/ beside the checkout, or in a "
                    f"folder named by {XSD_DIR_ENV} (tests/schemas/office-manifest/README.md)")
    parser = etree.XMLParser()
    parser.resolvers.add(_SchemaFolder(folder))
    root = etree.fromstring(_corrected((folder / XSD_ROOT).read_bytes()), parser, base_url=str(folder / XSD_ROOT))
    overrides = (folder / "TaskPaneAppVersionOverridesV1_0.xsd").read_bytes()
    return etree.XMLSchema(root), b'name="Runtimes"' in overrides


def schema_errors(schema: tuple[etree.XMLSchema, bool], manifest: bytes) -> list[str]:
    """Every schema error as `line N: message`; <Runtimes> taken out first where the schema predates it."""
    xsd, knows_runtimes = schema
    doc = etree.fromstring(manifest)
    if not knows_runtimes:
        for runtimes in doc.iter(f"{{{OV}}}Runtimes"):
            runtimes.getparent().remove(runtimes)
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def test_the_manifest_is_valid_against_microsofts_manifest_schema(served, manifest_schema):
    errors = schema_errors(manifest_schema, _get(served, "/manifest.xml")[2])
    assert not errors, "\n".join(errors)


BREAKAGES = {
    # an element the schema does not have, inside a ribbon button
    "unknown element": (b"<FunctionName>fourgood-check</FunctionName>",
                        b"<FunctionName>fourgood-check</FunctionName><Colour>red</Colour>", "Colour"),
    # a value outside the schema's list
    "unknown permission": (b"<Permissions>ReadWriteDocument</Permissions>",
                           b"<Permissions>Everything</Permissions>", "Permissions"),
    # the right elements in the wrong order (the schema's sequence puts Permissions after DefaultSettings)
    "misplaced element": (b"<Permissions>ReadWriteDocument</Permissions>", b"", "DefaultSettings"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_the_schema_check_rejects_a_broken_manifest(served, manifest_schema, breakage):
    manifest = _get(served, "/manifest.xml")[2]
    old, new, named = BREAKAGES[breakage]
    assert manifest.count(old) == 1
    broken = manifest.replace(old, new)
    if breakage == "misplaced element":
        broken = broken.replace(b"<DefaultSettings>", old + b"\n  <DefaultSettings>")
    errors = schema_errors(manifest_schema, broken)
    assert errors and named in errors[0], errors


def test_the_shared_runtime_is_wired_as_microsofts_spec_says(served):
    """[MS-OWEMXML] 2.2.152 Host: <Runtimes> comes first in the host; 2.2.209 Runtimes: one or more
    <Runtime>, whose resid names a URL resource. The ribbon's functions and the task pane share one
    runtime only when the function file and the task pane's page use that same resid, and it lives
    on between clicks only with lifetime="long" (Microsoft's shared-runtime guide)."""
    root = ET.fromstring(_get(served, "/manifest.xml")[2])
    ns = {"ov": OV, "bt": NS["bt"]}
    host = root.find("ov:VersionOverrides/ov:Hosts/ov:Host", ns)
    assert host is not None and host[0].tag == f"{{{OV}}}Runtimes"
    runtimes = host.findall("ov:Runtimes/ov:Runtime", ns)
    assert [(r.get("resid"), r.get("lifetime")) for r in runtimes] == [("Taskpane.Url", "long")]
    urls = {u.get("id") for u in root.iterfind("ov:VersionOverrides/ov:Resources/bt:Urls/bt:Url", ns)}
    assert "Taskpane.Url" in urls
    assert host.find("ov:DesktopFormFactor/ov:FunctionFile", ns).get("resid") == "Taskpane.Url"
    panes = [a for a in host.iter(f"{{{OV}}}Action") if a.find("ov:SourceLocation", ns) is not None]
    assert panes and {a.find("ov:SourceLocation", ns).get("resid") for a in panes} == {"Taskpane.Url"}
