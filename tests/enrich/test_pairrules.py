"""What a title says that makes two reports different happenings: market sessions, dates, figures, series."""

from __future__ import annotations

from enrich.pairrules import (
    Session,
    date_conflict,
    figure_conflict,
    later_figure,
    market_session,
    series_tag,
    session_conflict,
    title_dates,
    title_figures,
)


def test_market_reports_have_a_market_and_a_report_point() -> None:
    assert market_session("恒指开盘涨0.26%，恒生科技指数涨0.64%") == Session("hk", "open")
    assert market_session("港股午评：恒指涨 1.61% 止步四连跌") == Session("hk", "midday")
    assert market_session("美股大型科技股盘前多数下跌，闪迪跌超5%") == Session("us", "premarket")
    assert market_session("A股三大指数集体收涨，医药股全线大涨") == Session("cn", "close")
    assert market_session("创业板指、科创50均跌超2%") == Session("cn", "move")
    # A market named in passing is not a market report.
    assert market_session("A股并购重组聚焦“补链强链”") is None
    assert market_session("英伟达发布新一代GPU") is None


def test_market_reports_join_only_within_one_session_of_one_point() -> None:
    opening = market_session("恒指开盘涨0.26%")
    assert not session_conflict(opening, market_session("恒指开盘涨 0.26%，在线教育领涨"), hours=0.4)
    assert session_conflict(opening, market_session("恒指开盘涨0.26%"), hours=48.0)  # two mornings
    assert session_conflict(opening, market_session("恒指收涨0.2%"), hours=6.0)  # the opening is not the close
    assert session_conflict(opening, market_session("A股三大指数集体低开"), hours=0.1)  # another market
    assert not session_conflict(opening, None, hours=0.1)  # only between two market reports


def test_figures_leave_out_versions_dates_years_and_index_names() -> None:
    assert title_figures("荣耀Robot Phone预定量超40万台") == {400000.0}
    assert title_figures("英伟达为OpenAI数据中心提供最高1050亿美元担保") == {1.05e11}
    assert title_figures("GPT-5.6 Sol 发布，Qwen3.8-27B 登顶") == frozenset()
    assert title_figures("2026 世界机器人大会 8 月 19 日在京举行") == frozenset()
    assert title_figures("创业板指、科创50均跌超2%") == {2.0}
    assert title_figures("完美世界2026半年报：全球流水破20亿 Q3起释放业绩") == {2e9}


def test_titles_that_state_different_figures_conflict() -> None:
    launch, orders = title_figures("荣耀Robot Phone发布：售价9999元"), title_figures("荣耀Robot Phone预定量超40万台")
    assert figure_conflict(launch, orders)
    assert figure_conflict(title_figures("创业板指跌超2%"), title_figures("创业板指跌超3%"))
    assert not figure_conflict(title_figures("恒指午间休盘涨1.61%"), title_figures("港股午评：恒指涨 1.61%"))
    assert not figure_conflict(launch, title_figures("荣耀发布Robot Phone"))  # one title states no figure
    # Hours apart, another figure is a later development; within the hours it may be one release's figures.
    assert later_figure(launch, orders, hours=20.0) and not later_figure(launch, orders, hours=2.0)


def test_titles_naming_different_dates_conflict() -> None:
    assert title_dates("8月17日收盘，美股三大指数集体下跌") == {(8, 17)}
    assert date_conflict(title_dates("8月17日美股收盘"), title_dates("8月18日美股收盘"))
    assert not date_conflict(title_dates("8月17日美股收盘"), title_dates("美股收盘"))


def test_series_tag_is_the_column_a_title_ends_with() -> None:
    assert series_tag("AI Agent 与前沿部署工程：商业决策智能实践 ｜ Summit 2026") == "Summit 2026"
    assert series_tag("以 AI 对抗 AI：构建 Agent Runtime 安全防线｜AICon深圳") == "AICon深圳"
    assert series_tag("8点1氪丨李书福辞任董事会主席，吉利汽车管理层大调整") == ""  # a digest's name, then its content
    assert series_tag("英伟达发布新一代GPU") == ""
