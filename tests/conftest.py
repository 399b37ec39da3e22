"""Session-wide real servers and per-test databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.mirror import MirrorServer
from crawler.store import Store
from tests.saved_pages import PROJECT_PAGES
from tests.servers import MongoServerProcess


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServerProcess]:
    """One real MongoDB-wire server (SecantusDB) for the session, over TCP on loopback."""
    server = MongoServerProcess(tmp_path_factory.mktemp("mongo")).start()
    yield server
    server.stop()


@pytest.fixture
def mongo_uri(mongo_server: MongoServerProcess) -> str:
    return mongo_server.uri


@pytest.fixture
def db_name() -> str:
    """A fresh database per test, so tests never see each other's documents."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(mongo_uri: str, db_name: str) -> Iterator[Store]:
    store = Store.open(mongo_uri, db_name=db_name, timeout_ms=5000)
    store.ensure_indexes()
    yield store
    store.client.drop_database(db_name)
    store.close()


@pytest.fixture(scope="session")
def mirror() -> Iterator[MirrorServer]:
    """The offline mirror of saved pages, served on 127.0.0.1."""
    with MirrorServer(PROJECT_PAGES) as server:
        yield server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
