import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_module(relative_path, name):
    """Import a plain-Python file of an add-on without importing Odoo."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def rules():
    return load_module("addons/service_warranty/rules.py", "service_warranty_rules")


@pytest.fixture(scope="session")
def costing():
    return load_module("addons/service_rma/costing.py", "service_rma_costing")
