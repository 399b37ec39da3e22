from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import SHANGHAI
from crawler.spool import Spool


def test_round_trip_keeps_datetimes_and_unicode(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    when = datetime(2026, 1, 20, 13, 32, tzinfo=SHANGHAI)
    spool.append([{"_id": "a", "title": "大模型", "published_at": when}, {"_id": "b", "published_at": None}])
    assert len(spool) == 2
    got: list[dict] = []
    assert spool.replay(got.extend) == 2
    assert got[0] == {"_id": "a", "title": "大模型", "published_at": when}
    assert got[0]["published_at"].utcoffset() == when.utcoffset()
    assert len(spool) == 0


def test_failed_replay_keeps_the_unwritten_rest(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([{"_id": str(i)} for i in range(5)])
    written: list[dict] = []

    def flaky(docs: list[dict]) -> None:
        if written:
            raise ConnectionError("database went away")
        written.extend(docs)

    with pytest.raises(ConnectionError):
        spool.replay(flaky, batch=2)
    assert [d["_id"] for d in written] == ["0", "1"]
    rest: list[dict] = []
    spool.replay(rest.extend)
    assert [d["_id"] for d in rest] == ["2", "3", "4"]
