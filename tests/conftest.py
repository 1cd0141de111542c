"""Shared fixtures: the project's real definitions, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from formsite.definitions import Definitions
from formsite.engine import Engine
from formsite.loader import default_paths, load_definitions

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return load_definitions(*default_paths(PROJECT_ROOT))


@pytest.fixture(scope="session")
def engine(definitions: Definitions) -> Engine:
    return Engine.from_definitions(definitions)
