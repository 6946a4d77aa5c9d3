"""iCalendar (RFC 5545) rendering: calendar events in, a `.ics` file's bytes out.

Outlook, Google Calendar and the phone's calendar import this file or subscribe to it
(bot/platforms/http.py serves it as a feed). The core decides what each event says
(`CalendarEvent`); this module only maps it to the format, through the `icalendar`
library, which escapes, folds lines at 75 octets and ends them with CRLF as the RFC asks. It
is imported when a calendar is first made, not at start (every `de06` command would pay).

Two properties matter to the people who import it:
- **Stable UIDs.** A UID is a hash of the deadline's reload-stable key, so importing the file
  again, or the next fetch of a subscribed feed, updates an event instead of duplicating it.
- **All-day events** (`DTSTART;VALUE=DATE`, `DTEND` the day after): a deadline is a day, not
  a time; its reminders ring at 09:00 of the day they are due, in the reader's own zone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from index.deadlines import Recurrence, next_occurrence

if TYPE_CHECKING:
    import icalendar

__all__ = ["CalendarAlarm", "CalendarEvent", "CalendarInfo", "event_uid", "rrule", "render_ics"]

MEDIA_TYPE = "text/calendar"
UID_DOMAIN = "de-an-06.invalid"  # RFC 2606: a domain that can never belong to anyone else
PRODID = "-//Tro ly De an 06//de06//VI"
ALARM_HOUR = 9  # reminders ring at 09:00 of their day, not at midnight
_PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


@dataclass(frozen=True)
class CalendarAlarm:
    days_before: int  # 7: a week before the day; 1: the day before
    text: str


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event; `recurrence` makes it repeat from `day` (its first occurrence)."""

    key: str  # the deadline's reload-stable identity (DeadlineRecord.key)
    day: date
    summary: str
    description: str
    categories: tuple[str, ...] = ()
    recurrence: Recurrence | None = None
    alarms: tuple[CalendarAlarm, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class CalendarInfo:
    name: str  # X-WR-CALNAME: what calendar apps call the imported calendar
    description: str
    stamp: datetime  # DTSTAMP of every event: when this file was made (timezone-aware)
    refresh: timedelta = timedelta(hours=6)  # how often a subscribed client should refetch


def event_uid(key: str) -> str:
    """The event's UID: the same deadline keeps it across reloads, restarts and machines."""
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def first_occurrence(rule: Recurrence, anchor: date) -> date:
    """DTSTART of a recurring event: its first occurrence on or after `anchor`."""
    return next_occurrence(rule, anchor)


def rrule(rule: Recurrence) -> dict[str, object]:
    """The RRULE that falls on exactly the days `next_occurrence` gives.

    Periods are calendar months, quarters (Jan/Apr/Jul/Oct), halves and years, so the
    interval in months is the period's length and DTSTART fixes the phase. A day past a short
    month's end falls on its last day, which RFC 5545 says by "the last of the days 28…d"
    (BYMONTHDAY=28,29,30,31;BYSETPOS=-1); no day named means the period's last day (-1).
    """
    months = _PERIOD_MONTHS[rule.freq]
    out: dict[str, object] = {"freq": "yearly" if months == 12 else "monthly"}
    if months in (3, 6):
        out["interval"] = months
    if months == 12:
        out["bymonth"] = rule.month or (1 if rule.day is not None else 12)
    if rule.day is None:
        out["bymonthday"] = -1
    elif rule.day <= 28:
        out["bymonthday"] = rule.day
    else:
        out["bymonthday"] = list(range(28, rule.day + 1))
        out["bysetpos"] = -1
    return out


def _alarm(ical: icalendar, alarm: CalendarAlarm) -> icalendar.Alarm:
    valarm = ical.Alarm()
    valarm.add("action", "DISPLAY")
    valarm.add("description", alarm.text)
    # relative to the day's start (00:00): the day before at 09:00 is -PT15H
    valarm.add("trigger", -timedelta(days=alarm.days_before, hours=-ALARM_HOUR))
    return valarm


def _event(ical: icalendar, item: CalendarEvent, stamp: datetime) -> icalendar.Event:
    event = ical.Event()
    event.add("uid", event_uid(item.key))
    event.add("dtstamp", stamp)
    start = item.day
    if item.recurrence is not None:
        start = first_occurrence(item.recurrence, item.day)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(days=1))
    if item.recurrence is not None:
        event.add("rrule", rrule(item.recurrence))
    event.add("summary", item.summary)
    event.add("description", item.description)
    if item.categories:
        event.add("categories", list(item.categories))
    if item.url:
        event.add("url", item.url)
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    for alarm in item.alarms:
        event.add_component(_alarm(ical, alarm))
    return event


def render_ics(events: Iterable[CalendarEvent], info: CalendarInfo) -> bytes:
    """The whole calendar as UTF-8 bytes with CRLF line ends, ready to send or serve."""
    import icalendar as ical

    cal = ical.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", info.name)
    cal.add("x-wr-caldesc", info.description)
    cal.add("refresh-interval", info.refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", ical.vDuration(info.refresh))  # Outlook's name for the same
    for item in events:
        cal.add_component(_event(ical, item, info.stamp))
    return cal.to_ical()
