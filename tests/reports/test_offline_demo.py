"""The README's offline demo, as a new user runs it: three reports a reader would forward.

``aidaily daily --mirror tests/fixtures/pages --date 2026-01-20 --no-llm`` on the embedded database,
then each style as HTML. Every summary and key point ends on a sentence boundary and carries no
byline or 导读 tag; every footer counts the events and articles its report shows; each HTML page
names its report and day.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.summary import ends_sentence
from tests.saved_pages import PROJECT_PAGES

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
DAY = "2026-01-20"
NAMES = {"tracker": "2026-01-20 国产大模型日报", "insight": "AI洞察日报 2026/1/20", "digest": "AI 日报 2026/1/20"}
CREDITS = re.compile(
    r"导读】|【新智元|新智元报道|(?:文|编辑|作者)\s*[｜|丨]|编辑：|36氪获悉|IT之家 \d+ 月 \d+ 日消息"
    r"|量子位(?:也|已|同样)?第一时间"  # the site's sign-off (391187: 量子位第一时间上手体验。)
)
FOOTER = re.compile(r"本期 (\d+) 个事件、(\d+) 篇文章(?:；未收录 (\d+) 篇非 AI 资讯)?")
ARTICLE_LINK = re.compile(r"\]\((https?://[^)]+)\)")
pytestmark = pytest.mark.slow


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([AIDAILY, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "MONGO_"))}
    env |= {"AIDAILY_DATA_DIR": str(data)}
    done = run(env, "daily", "--mirror", str(PROJECT_PAGES), "--date", DAY, "--no-llm", "--out", str(data / "reports"))
    reports = {style: (data / "reports" / f"{DAY}-{style}.md").read_text(encoding="utf-8") for style in NAMES}
    reports["summary"] = done.stdout
    for style in NAMES:
        out = data / f"{style}.html"
        run(env, "report", "--date", DAY, "--style", style, "--format", "html", "--no-llm", "--out", str(out))
        reports[f"{style}.html"] = out.read_text(encoding="utf-8")
    return reports


def article_text(style: str, report: str) -> list[str]:
    """The article text a style shows: summaries, key points, 更多动态 sentences, 今日摘要."""
    lines = report.splitlines()
    if style == "tracker":
        # the paragraph between each item's 来源 line and its 阅读原文 link
        return [lines[i + 2] for i, line in enumerate(lines) if line.startswith("**来源**")]
    if style == "insight":
        texts = [re.sub(r"^\*\*• .*?\*\*：| \[[^\]]+\]\(.*$", "", ln) for ln in lines if ln.startswith("**• ")]
        overview = lines[lines.index("## **今日摘要**") + 2].removeprefix("• ")
        return [t.replace("**", "") for t in [*texts, overview]]
    points = [re.sub(r"^- \*\*.+?\*\*：", "", ln) for ln in lines if re.match(r"^- \*\*.+?\*\*：", ln)]
    more = [re.sub(r"^- \*\*.+?\*\*\[链接\]\([^)]+\)：|（另见.*$", "", ln) for ln in lines if "[链接](" in ln]
    overview = lines[lines.index(next(ln for ln in lines if ln.startswith("# "))) + 2]
    return [*points, *more, overview]


@pytest.mark.parametrize("style", list(NAMES))
def test_every_summary_ends_on_a_sentence_and_carries_no_byline(demo: dict[str, str], style: str) -> None:
    texts = article_text(style, demo[style])
    assert len(texts) >= 10
    for text in texts:
        assert ends_sentence(text), f"{style}: not a whole sentence: {text[-40:]!r}"
        assert not CREDITS.search(text), f"{style}: byline or tag in {text[:60]!r}"
    assert not CREDITS.search(demo[style])


# The demo's 量子位 pages open on teasers; an item's one sentence, a summary and the 今日摘要 carry the news instead.
HOOKS = (
    "DeepSeek又在春节前放出了新论文。",
    "千问App，开始「办事」了。",
    "人形机器人的年度出货榜单出炉了。",
    "英伟达又有新动作",
)


@pytest.mark.parametrize("style", list(NAMES))
def test_no_summary_or_item_sentence_is_a_teaser(demo: dict[str, str], style: str) -> None:
    for hook in HOOKS:
        assert hook not in demo[style], f"{style}: {hook}"
    if style == "digest":
        more = [ln for ln in demo[style].splitlines() if "[链接](" in ln]
        assert "：这次的主角是一种名为「条件记忆层」的新结构" in next(ln for ln in more if "391204" in ln)
        assert "：1月19日，阿里巴巴宣布千问App全面接入淘宝" in next(ln for ln in more if "391187" in ln)
        assert "：市场研究机构Omdia最新发布的报告显示" in next(ln for ln in more if "391150" in ln)


def test_no_key_point_is_labelled_by_a_bare_keyword_or_a_fragment(demo: dict[str, str]) -> None:
    """The labels a reviewer found in this demo (K3, MoE, Token 0.5, 舍不得用…): each point reads entity + action."""
    labels = re.findall(r"^- \*\*(.+?)\*\*：", demo["digest"], re.M)
    assert len(labels) >= 10
    bare = {"K3", "MoE", "Gemini", "VideoThinker", "SWE-bench Verified", "Token 0.5", "Token 0.5元", "舍不得用"}
    assert not bare & set(labels), labels


@pytest.mark.parametrize("style", list(NAMES))
def test_every_footer_counts_what_its_report_shows(demo: dict[str, str], style: str) -> None:
    report = demo[style]
    found = FOOTER.search(report)
    assert found, f"{style}: no counts in the footer"
    events, articles, left_out = int(found[1]), int(found[2]), int(found[3] or 0)
    body = report[: report.index("*本日报由")]
    if style == "tracker":
        body = body[body.index("## 详细资讯") :]  # the leaderboard's links are not articles
        shown = body.count("[阅读原文](")
    elif style == "insight":
        shown = sum(1 for line in body.splitlines() if line.startswith("**• "))
    else:
        shown = body.count("\n### [") + body.count("[链接](")
    linked = {url for url in ARTICLE_LINK.findall(body)}
    assert shown == events, f"{style}: shows {shown} events, footer says {events}"
    assert len(linked) == articles, f"{style}: links {len(linked)} articles, footer says {articles}"
    tracker = FOOTER.search(demo["tracker"])
    assert tracker is not None
    assert articles + left_out == int(tracker[2]), "what a style leaves out is named in its footer"
    if style != "tracker":
        assert left_out > 0 and "现货黄金" not in report  # the non-AI items of the day are named, not shown


@pytest.mark.parametrize("style", list(NAMES))
def test_the_html_page_names_its_report_and_day(demo: dict[str, str], style: str) -> None:
    page = demo[f"{style}.html"]
    assert f"<title>{NAMES[style]}</title>" in page
    assert f"<h1>{NAMES[style]}</h1>" in page and page.count("<h1>") == 1
    assert "LLM: off" in page and 'nav class="toc"' in page


def test_the_summary_of_a_first_run_shows_every_source_answered(demo: dict[str, str]) -> None:
    lines = demo["summary"].splitlines()
    sources = [line for line in lines if re.match(r"  \S+ \(\S+\): found \d+", line)]
    assert len(sources) == 7, demo["summary"]
    # every link of the demo mirror is answered: a failed request here would be a broken fixture, not the demo
    assert not [line for line in sources if "failed" in line or "FAILED" in line]
    assert "health: ok" in lines and lines[-1] == "exit status 0"


def test_the_summary_shows_the_leaderboard_snapshots_stored(demo: dict[str, str]) -> None:
    lines = demo["summary"].splitlines()
    board = [line for line in lines if line.startswith("  lmarena: ")]
    # the committed LM Arena excerpt holds three dates; a first run stores each once
    assert board == ["  lmarena: found 3 leaderboard snapshots, new 3, updated 0, unchanged 0, not stored 0"], lines


KIMI_JIQIZHIXIN = "https://www.jiqizhixin.com/articles/2026-01-20-3"
KIMI_ITHOME = "https://www.ithome.com/0/915/447.htm"
OTHER_SOURCE = {
    "tracker": f"另见: [IT之家]({KIMI_ITHOME})",
    "insight": f"[机器之心]({KIMI_JIQIZHIXIN}) · [IT之家]({KIMI_ITHOME})",
    "digest": f"其他来源: [IT之家]({KIMI_ITHOME})",
}


@pytest.mark.parametrize("style", list(NAMES))
def test_one_event_told_by_two_sites_is_one_entry_naming_the_other(demo: dict[str, str], style: str) -> None:
    report = demo[style]
    # 机器之心 reported the Kimi K3 launch first; IT之家's retelling is named beside it, never an entry of its own
    assert OTHER_SOURCE[style] in report
    assert report.count(f"]({KIMI_ITHOME})") == 1
    assert "月之暗面发布 Kimi K3 大模型" not in report  # IT之家's headline
