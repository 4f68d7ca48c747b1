"""Shared fixtures: the bundled specs, freshly built templates and filled submissions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fourgood.spec import load_specs
from fourgood.workbook_templates.writer import template_filename, write_templates


def pytest_collection_modifyitems(config, items):
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed; .ci/run installs it")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def specs():
    return load_specs()


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory, specs) -> Path:
    out = tmp_path_factory.mktemp("templates")
    write_templates(out, specs)
    return out


@pytest.fixture(scope="session")
def agency_template(template_dir) -> Path:
    return template_dir / template_filename("agency")
