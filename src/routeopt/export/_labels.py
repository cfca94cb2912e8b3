"""The words printed on the outputs, in each language they come in.

A label missing in a language falls back to English, so that a new label
never breaks an output; ``tests/export/test_labels.py`` checks that every
language has every label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from routeopt.exceptions import InputError, Issue

__all__ = ["LANGUAGES", "labels", "visit_steps", "weekday_name"]

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
    "sheet": "Route sheet",
    "sheets": "Route sheets",
    "route": "Route",
    "seq": "#",
    "visit": "Visit",
    "waiting": "wait",
    "drive": "drive",
    "home": "Start",
    "home_end": "End of the day",
    "open_today": "Open today",
    "closed": "closed",
    "all_day": "24 h",
    "appointment": "Appointment",
    "purpose": "Purpose / notes",
    "key_account": "key account",
    "follow_ups": "Follow-ups due",
    "this_visit": "this visit",
    "asked": "asked",
    "due": "due",
    "due_window": "due",
    "planned_on": "planned",
    "not_planned": "not planned",
    "last_visit": "Last visit",
    "no_last_visit": "none in the visit log",
    "checklist": "Visit steps",
    "order_form": "Stock and order",
    "sku": "SKU",
    "last_count": "Last count",
    "expected": "Expected",
    "classic_order": "Order 1.5×",
    "plan_order": "Order to next visit",
    "counted": "Counted",
    "agreed": "Agreed",
    "map": "Route map",
    "map_note": "straight lines between the stops",
    "km": "km",
    "minutes": "min",
    "hours_short": "h",
    "page": "Page",
    "week_of": "Week of",
    "visits_of_day": "visits",
    "made_by": "Made by routeopt",
    "no_routes": "No routes in this plan.",
    "kind_follow_up": "Follow-up",
    "kind_makeup": "Make-up visit",
    "kind_extra": "Extra visit",
    "reason_objection": "objection",
    "reason_solution": "solution",
    "reason_order": "order",
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
    "sheet": "当日拜访路线表",
    "sheets": "拜访路线表",
    "route": "拜访路线",
    "seq": "序号",
    "visit": "拜访时间",
    "waiting": "等待",
    "drive": "路程",
    "home": "出发地",
    "home_end": "收工返回",
    "open_today": "今日营业",
    "closed": "休息",
    "all_day": "全天",
    "appointment": "预约",
    "purpose": "拜访目的 / 备注",
    "key_account": "重点客户",
    "follow_ups": "待跟进事项",
    "this_visit": "本次拜访",
    "asked": "提出于",
    "due": "截止",
    "due_window": "期限",
    "planned_on": "已安排于",
    "not_planned": "未安排",
    "last_visit": "上次拜访",
    "no_last_visit": "拜访记录中没有",
    "checklist": "拜访八步骤",
    "order_form": "库存与建议订单",
    "sku": "品项",
    "last_count": "上次库存",
    "expected": "预计库存",
    "classic_order": "建议订货 1.5倍",
    "plan_order": "建议订货 至下次拜访",
    "counted": "实点库存",
    "agreed": "确认订货",
    "map": "路线图",
    "map_note": "图中连线为直线示意",
    "km": "公里",
    "minutes": "分钟",
    "hours_short": "小时",
    "page": "页",
    "week_of": "周",
    "visits_of_day": "家终端",
    "made_by": "由 routeopt 生成",
    "no_routes": "本计划没有路线。",
    "kind_follow_up": "跟进拜访",
    "kind_makeup": "补访",
    "kind_extra": "临时拜访",
    "reason_objection": "异议",
    "reason_solution": "解决方案",
    "reason_order": "订单确认",
}
_WEEKDAYS: Final = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}
#: The eight steps of an outlet visit (the field routine of the domain notes: 拜访八步骤),
#: the route sheet's default checklist.
_STEPS: Final = {
    "en": ("Prepare", "Greet", "Check the store", "Merchandise", "Draft the order", "Present",
           "Review", "Admin"),
    "zh": ("准备", "打招呼", "店情查看", "产品生动化", "草拟(建议)订单", "销售陈述", "回顾总结",
           "行政工作"),
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


def visit_steps(lang: str = "en") -> tuple[str, ...]:
    """The eight steps of an outlet visit in ``lang``: prepare (the customer card, the last
    visit's promises), greet, check the store (shelf, stock, prices, competitors),
    merchandise the shelf, draft the suggested order, present, review, admin.

    Examples
    --------
    >>> visit_steps("zh")[3]
    '产品生动化'
    """
    _check(lang)
    return _STEPS[lang]


def clock(seconds: int) -> str:
    """A time of day as every output prints it: ``HH:MM``, the minute it falls in.

    Examples
    --------
    >>> clock(9 * 3600 + 6 * 60 + 40)
    '09:06'
    """
    h, m = divmod(int(seconds) // 60, 60)
    return f"{h:02d}:{m:02d}"

