import pytest

from crawler.text import html_to_text, lead, normalize_text
from crawler.urls import canonicalize_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://36kr.com/p/3650000?f=rss", "https://36kr.com/p/3650000"),
        (
            "https://www.ithome.com/0/915/391.htm?utm_source=rss&utm_medium=feed#comments",
            "https://www.ithome.com/0/915/391.htm",
        ),
        ("https://news.aibase.com/zh/news/24000?spm=a.b.c&id=7", "https://news.aibase.com/zh/news/24000?id=7"),
        ("HTTPS://WWW.QBITAI.COM:443/2026/01/1.html", "https://www.qbitai.com/2026/01/1.html"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzI3&mid=2247&idx=1&sn=abc&chksm=ff&scene=21#wechat_redirect",
            "https://mp.weixin.qq.com/s?__biz=MzI3&mid=2247&idx=1&sn=abc",
        ),
        # a non-tracking ``f`` or ``from`` is a real parameter and stays
        ("https://example.com/a?f=2&from=home", "https://example.com/a?f=2&from=home"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<div><p>第一段　ＡＩ 模型</p><script>var x=1</script><p>第二段<br/>换行</p><ul><li>要点</li></ul></div>"
    assert html_to_text(html) == "第一段 AI 模型\n第二段\n换行\n要点"


def test_normalize_text_folds_fullwidth_alnum_but_keeps_cjk_punctuation() -> None:
    assert normalize_text("  ＧＰＴ－５发布，性能提升３０％！ \n\n\n 下一段 ") == "GPT-5发布，性能提升30%！\n下一段"


def test_lead_cuts_at_a_sentence_end() -> None:
    body = "这是第一句话，讲了一件事。" * 30
    out = lead(body, 100)
    assert out.endswith("。") and len(out) <= 100
