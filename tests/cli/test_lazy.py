"""``aidaily --help``, each subcommand's ``--help`` and argument errors load no heavy library and start no database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aidaily.cli import COMMANDS, main

# Each of these takes from a tenth of a second to seconds to import; none is needed to print help.
HEAVY = (
    "scrapy",
    "twisted",
    "pymongo",
    "secantus",
    "jieba",
    "rjieba",
    "sklearn",
    "numpy",
    "openai",
    "trafilatura",
    "rich",
)

_PROBE = """
import json, sys
from aidaily.cli import main
try:
    main(sys.argv[1:], prog_name="aidaily")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}), file=sys.stderr)
"""


def probe(*args: str) -> dict[str, object]:
    """Run the CLI with ``args`` in a fresh interpreter; its exit code and the top-level modules it imported."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=60)
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    result["stdout"] = done.stdout
    result["stderr"] = done.stderr
    return result


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        *([name, "--help"] for name in sorted(COMMANDS)),
        ["search", "--bogus"],
        ["report"],
        ["nosuch"],
        # argument errors found before Scrapy, pymongo or the tokenizer load (issue 15)
        ["crawl", "nosuch"],
        ["crawl", "-s", "FOO"],
        ["doctor", "nosuch"],
        ["doctor", "-s", "FOO"],
        ["search"],
        ["search", "的"],
        ["search", "“的”", "a"],
    ],
    ids=lambda a: " ".join(a),
)
def test_help_and_usage_errors_import_nothing_heavy(args: list[str]) -> None:
    result = probe(*args)
    assert result["code"] == (0 if "--help" in args else 2)
    loaded = set(result["modules"])  # type: ignore[arg-type]
    assert not loaded & set(HEAVY), f"imported {sorted(loaded & set(HEAVY))}"


def test_top_level_help_lists_every_command_with_its_docstring() -> None:
    out = str(probe("--help")["stdout"])
    for name in COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None
        first_words = " ".join(command.get_short_help_str(limit=200).split()[:3])
        assert f"{name}  " in out or f"{name} " in out
        assert first_words in " ".join(out.split()), f"{name}: {first_words!r} not in --help"


def test_the_spider_list_read_from_source_is_scrapys() -> None:
    """``crawl``/``doctor`` check names against the spider modules' source; Scrapy's loader must list the same."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.spiderlist import spider_names

    names = spider_names()
    assert len(names) >= 10 and "ithome" in names and "36kr_newsflash" in names
    assert names == sorted(SpiderLoader.from_settings(get_project_settings()).list())


def test_the_tokenizer_imports_no_database_driver() -> None:
    code = "import sys, enrich.tokens, reports.query; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'rjieba'" in loaded and "'pymongo'" not in loaded and "'numpy'" not in loaded and "'bson'" not in loaded


def test_an_argument_error_still_says_what_is_wrong() -> None:
    assert "unknown spider nosuch; known: 36kr," in str(probe("crawl", "nosuch")["stderr"])
    assert "Error: no searchable words in '的'" in str(probe("search", "的")["stderr"])
    assert "Error: the search query is empty" in str(probe("search")["stderr"])
