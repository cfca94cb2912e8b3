"""The words printed on the outputs, in each language they come in.

A label missing in a language falls back to English, so that a new label
never breaks an output; ``tests/export/test_labels.py`` checks that every
language has every label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from routeopt.exceptions import InputError, Issue

__all__ = ["LANGUAGES", "labels", "weekday_name"]

_EN: Final[dict[str, str]] = {
    "rep": "Rep",
    "date": "Date",
    "depart": "Departure",
    "back": "Return",
    "break": "Lunch break",
    "arrival": "Arrival",
    "start": "Start",
    "end": "End",
    "outlet": "Outlet",
    "address": "Address",
    "phone": "Phone",
    "contact": "Contact",
    "hours": "Opening hours",
    "priority": "Priority",
    # charts
    "week": "week {n}",
    "seg_travel": "Travel",
    "seg_visit": "Visit",
    "seg_wait": "Waiting",
    "seg_break": "Lunch break",
    "seg_other": "Waiting and break",
    "mean_day": "mean day",
    "hours_axis": "Hours",
    # maps
    "wait": "Wait",
    "h": "h",
    "min": "min",
    "day": "Day",
    "weekday": "Weekday",
    "visit_label": "Visit",
    "routes": "routes",
    "homes": "Reps' start points",
    "outlets": "Outlets",
    "route_days": "Route days",
    "overview": "Visit plan",
    "maps": "Maps of the plan",
    "offline_tiles": "The map tiles could not load (offline?): the stops and routes are "
                     "still shown.",
    "notes": "Notes",
    "visits": "Visits",
    "travel": "Travel",
    "distance": "Distance",
    "unscheduled": "Unscheduled",
    "stop": "Stop",
    "makeup": "Make-up visit",
    "follow_up": "Follow-up visit",
}
_ZH: Final[dict[str, str]] = {
    "rep": "业务代表",
    "date": "日期",
    "depart": "出发",
    "back": "返回",
    "break": "午休",
    "arrival": "到达",
    "start": "开始",
    "end": "结束",
    "outlet": "终端",
    "address": "地址",
    "phone": "电话",
    "contact": "联系人",
    "hours": "营业时间",
    "priority": "优先级",
    # charts
    "week": "第 {n} 周",
    "seg_travel": "路程",
    "seg_visit": "拜访",
    "seg_wait": "等待",
    "seg_break": "午休",
    "seg_other": "等待与午休",
    "mean_day": "平均每天",
    "hours_axis": "小时",
    # maps
    "wait": "等待",
    "h": "小时",
    "min": "分钟",
    "day": "工作时间",
    "weekday": "星期",
    "visit_label": "拜访",
    "routes": "路线",
    "homes": "业务代表出发地",
    "outlets": "终端数",
    "route_days": "路线天数",
    "overview": "拜访计划",
    "maps": "计划地图",
    "offline_tiles": "地图底图无法加载（离线？）：拜访点和路线仍会显示。",
    "notes": "备注",
    "visits": "拜访",
    "travel": "路程时间",
    "distance": "距离",
    "unscheduled": "未安排",
    "stop": "站点",
    "makeup": "补访",
    "follow_up": "跟进拜访",
}
_WEEKDAYS: Final = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}
_ALL: Final[dict[str, dict[str, str]]] = {"en": _EN, "zh": _ZH}
#: The languages the outputs come in (``--lang``).
LANGUAGES: Final = tuple(_ALL)


def _check(lang: str) -> None:
    if lang not in _ALL:
        raise InputError([Issue(f"unknown language {lang!r}; use one of "
                                f"{', '.join(LANGUAGES)}", column="lang")])


def labels(lang: str = "en") -> Mapping[str, str]:
    """The labels of ``lang``, English where it has none.

    Raises
    ------
    InputError
        ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> labels("zh")["outlet"]
    '终端'
    >>> labels("en")["break"]
    'Lunch break'
    """
    _check(lang)
    return {**_EN, **_ALL[lang]}


def weekday_name(weekday: int, lang: str = "en") -> str:
    """The name of a weekday (0 = Monday) in ``lang``.

    Examples
    --------
    >>> weekday_name(5, "zh")
    '星期六'
    """
    _check(lang)
    return _WEEKDAYS[lang][weekday]
