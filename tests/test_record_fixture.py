"""scripts/record-fixture saves a page in the mirror layout with the parser's output for review."""

import json
import subprocess
import sys
from pathlib import Path

from crawler.mirror import MirrorServer
from tests.saved_pages import PROJECT_PAGES

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "record-fixture"


def test_records_page_meta_and_expected(tmp_path: Path) -> None:
    with MirrorServer(PROJECT_PAGES) as mirror:
        url = f"{mirror.base_url}/www.ithome.com/0/915/391.htm"
        subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                "--root",
                str(tmp_path),
                "--parser",
                "crawler.pages.ithome:parse_article",
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    saved = tmp_path / url.split("://", 1)[1]
    assert saved.read_bytes() == (PROJECT_PAGES / "www.ithome.com/0/915/391.htm").read_bytes()
    meta = json.loads(saved.with_name("391.htm.meta.json").read_text())
    assert meta["status"] == 200
    assert meta["headers"]["Date"] == "Tue, 20 Jan 2026 07:00:00 GMT"  # the time the page was saved, kept
    expected = json.loads(saved.with_name("391.htm.expected.json").read_text())
    assert expected["review"] is True
    reference = json.loads((PROJECT_PAGES / "www.ithome.com/0/915/391.htm.expected.json").read_text())["article"]
    assert expected["article"]["body"] == reference["body"]
    assert expected["article"]["title"] == reference["title"]
