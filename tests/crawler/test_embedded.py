"""The embedded default: SecantusDB in-process, persistent, shareable by a second process."""

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from crawler.dates import SHANGHAI
from crawler.embedded import EmbeddedMongo
from crawler.store import Store


def test_data_persists_across_restarts(tmp_path: Path) -> None:
    with Store.open(None, data_dir=tmp_path) as store:
        store.ensure_indexes()
        store.articles.insert_one(
            {"_id": "a", "url": "https://x/1", "published_at": datetime(2026, 1, 20, 9, tzinfo=SHANGHAI)}
        )
    with Store.open(None, data_dir=tmp_path) as store:
        assert store.articles.find_one({"_id": "a"})["published_at"].isoformat() == "2026-01-20T09:00:00+08:00"
        assert "url_unique" in store.articles.index_information()
    assert not (tmp_path / "db" / "server.json").exists()


def test_a_second_process_attaches_to_the_running_server(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path / "db") as server:
        code = (
            "from pathlib import Path; from crawler.store import Store;"
            f"s = Store.open(None, data_dir=Path({str(tmp_path)!r})); s.articles.insert_one({{'_id': 'b'}});"
            "print(s.uri); s.close()"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        assert out == server.uri
        with Store.open(server.uri) as store:
            assert store.articles.find_one({"_id": "b"}) == {"_id": "b"}
