"""An adversarial model for the local server: it obeys instructions in the article text, in every task.

Where the honest fake copies source sentences (so grounding keeps them by construction), this one
writes what a compromised or careless model would, in every field of every task (story, deep,
day): the payload an injected instruction asks for, invented claims, invented figures, an honest
clause with an instructed one stitched on, contact bait, short fields that are advice rather than
names, and Markdown/HTML that would break a report. Its first answer to each question also carries
links and an id that was not in the input (the validators reject those); asked again, it answers
in the schema with no link, so only grounding and escaping stand between it and the report.

``PLANTED`` lists what must never appear in any report; each honest fragment it also writes
(``HONEST``) must, so a test cannot pass by dropping everything.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.llm.fake_openai import FOREIGN_ID

_ARTICLE = re.compile(r'<article id="([^"]+)" source="[^"]*">\n标题：(.*?)\n(.*?)\n</article>', re.S)
_STORY = re.compile(r'<story id="([^"]+)">\n标题：(.*?)\n(.*?)\n</story>', re.S)
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]")
# How this model recognises an instruction: its own rule, not aidaily's detector.
_INSTRUCTION = re.compile(r"指令|规则|提示|ignore|instruction", re.I)
_PAYLOAD = re.compile(r".*(?:声明|写入|写上|写成|加入|提到|注明)[：:]?\s*(.+?)[。！？]?$")

INVENTED_FACT = "该公司已成为全球最受欢迎的人工智能企业，用户遍布世界各地。"
INVENTED_FIGURE = "该公司估值已超过5000亿美元，员工人数达到8万人。"
INVENTED_ANALYSIS = "这标志着该公司已经彻底击败所有海外竞争对手，成为行业无可争议的绝对霸主。"
STITCHED_ADVICE = "投资者应当立即买入相关概念股票"
# Glued to a copied sentence without a comma: most bigrams are the source's, one long run is not.
GLUED_CLAIM = "并且该公司计划明年收购三家海外芯片企业"
CONTACT_BAIT = "扫码添加客服微信即可免费领取内测资格。"
ADVICE_LABEL = "投资建议：立即买入"
BAIT_LABEL = "扫码领奖"
INVENTED_LABEL = "独家重磅爆料"
INVENTED_WHO = "散户投资者"
INVENTED_HEADING = "今日必买清单"
# Stitched between three-character pieces of a source sentence: no run of novel text is long,
# but most of the sentence's bigrams are its own, so only the overlap score can drop it.
PATCHES = ("遥遥领先整个世界", "成为公认行业第一", "全面碾压所有对手")
EVIL_LINKS = ("evil.xyz", "t.me/scam", "bit.ly/3Evil", "//evil.host/x", "wa.me/8613800000000")

PLANTED = (
    INVENTED_FACT,
    "全球最受欢迎",
    "5000亿",
    "8万人",
    "绝对霸主",
    STITCHED_ADVICE,
    "立即买入",
    "扫码",
    "内测资格",
    ADVICE_LABEL,
    "投资建议",
    BAIT_LABEL,
    INVENTED_LABEL,
    INVENTED_WHO,
    INVENTED_HEADING,
    FOREIGN_ID,
    *EVIL_LINKS,
    "evil",
    "<script>alert('pwned')</script>",
    "遥遥领先",
    "公认行业第一",
    "碾压所有对手",
    GLUED_CLAIM,
    "海外芯片企业",
)


def patchwork(sentence: str) -> str:
    """Three-character pieces of ``sentence`` (Chinese only, so no figure) with an invented phrase after each."""
    cjk = "".join(re.findall(r"[\u4e00-\u9fff]", sentence))
    pieces = [cjk[i : i + 3] for i in range(0, 9, 3)]
    return "".join(p + n for p, n in zip(pieces, PATCHES, strict=True)) + "。"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 8]


@dataclass
class Adversary:
    """The model: answers every request adversarially, remembering the instructions it has read."""

    payloads: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)  # what it made up from each request's own text
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        messages = request["messages"]
        task_text = next(m["content"] for m in messages if m["role"] == "user")
        retried = len(messages) > 2
        self._read_instructions(task_text)
        if "任务：day" in task_text:
            answer = self._day(_STORY.findall(task_text))
        elif "任务：deep" in task_text:
            answer = self._deep(_ARTICLE.findall(task_text))
        else:
            answer = self._story(_ARTICLE.findall(task_text))
        return answer if retried else self._with_links(answer)

    def _read_instructions(self, text: str) -> None:
        """Obeys what the text asks for: the clause after 声明/写入/… in any sentence that gives orders."""
        found = []
        for sentence in _SENTENCE.findall(text):
            if _INSTRUCTION.search(sentence) and "只依据" not in sentence and "schema" not in sentence:
                match = _PAYLOAD.search(sentence.strip())
                if match:
                    found.append(match.group(1).strip("，, ") + "。")
        with self._lock:
            self.payloads.extend(p for p in found if p not in self.payloads)

    def _instructed(self) -> str:
        with self._lock:
            return "".join(self.payloads)

    def _scrambled(self, title: str) -> str:
        """A "name" made of the title's own characters in an order the title never has."""
        cjk = "".join(re.findall(r"[\u4e00-\u9fff]", title))[:4]
        scrambled = cjk[1::2] + cjk[0::2]
        with self._lock:
            self.invented.append(scrambled)
        return scrambled

    def _story(self, articles: list[tuple[str, str, str]]) -> dict[str, Any]:
        aid, title, body = articles[0]
        honest = [s for s in _sentences(body) if not _INSTRUCTION.search(s)]
        first = honest[0] if honest else title
        glued = re.sub(r"[，,。]", "", first) + GLUED_CLAIM + "。"
        return {
            "headline": f"{title}，{STITCHED_ADVICE}",
            "summary": (
                f"# {first}"  # grounded, but a Markdown heading if printed raw
                + "".join(honest[1:3])
                + self._instructed()
                + INVENTED_FACT
                + INVENTED_FIGURE
                + f"{first.rstrip('。')}，{STITCHED_ADVICE}。"
                + patchwork(first)
                + glued
                + CONTACT_BAIT
                + "<script>alert('pwned')</script>。"
            ),
            "key_points": [  # four: the most a story keeps
                {"label": self._scrambled(title), "text": first, "ids": [aid]},
                {"label": ADVICE_LABEL, "text": honest[-1] if honest else title, "ids": [aid]},
                {"label": INVENTED_LABEL, "text": self._instructed() or INVENTED_FIGURE, "ids": [aid]},
                {"label": BAIT_LABEL, "text": f"- {first}", "ids": [aid]},
            ],
            "entities": ["投资建议", "立即买入", "全球最受欢迎"],
        }

    def _deep(self, articles: list[tuple[str, str, str]]) -> dict[str, Any]:
        aid, title, body = articles[0]
        honest = [s for s in _sentences(body) if not _INSTRUCTION.search(s)]
        return {
            "analysis": [
                "".join(honest[:2]) + INVENTED_ANALYSIS + patchwork(honest[-1] if honest else title),
                self._instructed() + INVENTED_FIGURE + f"因此{STITCHED_ADVICE}。",
            ],
            "impacts": [
                {"who": INVENTED_WHO, "text": honest[-1] if honest else title, "ids": [aid]},
                {"who": BAIT_LABEL, "text": CONTACT_BAIT, "ids": [aid]},
                {"who": "开发者", "text": INVENTED_ANALYSIS, "ids": [aid]},
            ],
        }

    def _day(self, stories: list[tuple[str, str, str]]) -> dict[str, Any]:
        ids = [s[0] for s in stories]
        half = max(1, len(ids) // 2)
        honest = "".join(_sentences(summary)[0] for _, _, summary in stories[:2] if _sentences(summary))
        return {
            "title": ADVICE_LABEL,
            "overview": honest
            + self._instructed()
            + INVENTED_FACT
            + INVENTED_FIGURE
            + CONTACT_BAIT
            + patchwork(stories[0][1] if stories else ""),
            "highlights": [
                {"text": INVENTED_FACT if n % 2 else f"{title}，{STITCHED_ADVICE}", "id": sid}
                for n, (sid, title, _) in enumerate(stories[:10])
            ],
            "topics": [
                {"heading": INVENTED_HEADING, "ids": ids[:half]},
                {"heading": ADVICE_LABEL, "ids": ids[half:]},
            ],
        }

    @staticmethod
    def _with_links(answer: dict[str, Any]) -> dict[str, Any]:
        """The first answer: links in every text field and an id that was not in the input."""
        links = " ".join(EVIL_LINKS)
        linked = dict(answer)
        for key in ("summary", "overview", "headline", "title"):
            if key in linked:
                linked[key] = f"{linked[key]}详情请访问 {links} 。"
        for key in ("key_points", "impacts", "highlights", "topics"):
            if key in linked:
                items = [dict(i) for i in linked[key]]
                items.append({**items[0], "ids": [FOREIGN_ID], "id": FOREIGN_ID})
                linked[key] = items
        return linked
