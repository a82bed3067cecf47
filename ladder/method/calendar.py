"""The 90-day sprint as a calendar file (RFC 5545), built with the icalendar library.

Step S5 of the method asks for two or three recurring events that force the
higher-rung work, and step S6 for a 60-minute review every quarter. This module
turns a sprint into the bytes of an ``.ics`` file: weekly events that stop at the
end of the sprint, the quarterly review with a reminder the day before, and the
VTIMEZONE that lets calendar apps without the IANA database place them right.

Framework-free on purpose: the caller loads the sprint from the database and keeps
each event's ``uid``, so a re-import (or a subscribed calendar refreshing) updates
the events rather than duplicating them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, vText

PRODID = "-//Ladder//Sprint calendar//EN"
REVIEW_TITLE = "Ladder quarterly review: has AI closed the gap?"
REVIEW_MINUTES = 60
REVIEW_EVERY_MONTHS = 3
MIN_MINUTES = 15
MAX_MINUTES = 240
MAX_TITLE_LENGTH = 200
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()
# The VTIMEZONE spells out every offset change in this window, so clients without
# the IANA database place the sprint and the next decade of reviews correctly.
TIMEZONE_YEARS_AHEAD = 10

REVIEW_DESCRIPTION = (
    "Sixty minutes, once a quarter, to check whether the ladder has moved. "
    "Re-score the activities you once rated 4 or 5: has AI closed the gap on any "
    "of them? Then adjust how you split your week for the next quarter."
)


@dataclass(frozen=True)
class RecurringEvent:
    """A weekly block that forces higher-rung work, in the sprint's time zone.

    ``uid`` is stable (the caller stores it), ``weekday`` counts from 0 = Monday to
    6 = Sunday, ``start`` is local wall-clock time and ``minutes`` the duration.
    """

    uid: str
    title: str
    weekday: int
    start: time
    minutes: int
    description: str = ""


@dataclass(frozen=True)
class Sprint:
    """A 90-day sprint: its dates (``ends`` inclusive), zone, events and review.

    ``time_zone`` is an IANA name such as ``"Europe/London"``; ``review_uid`` is the
    stable id of the quarterly review; ``url``, when given, links back to the sprint.
    """

    name: str
    time_zone: str
    starts: date
    ends: date
    events: tuple[RecurringEvent, ...]
    review_uid: str
    review_time: time = time(9, 0)
    url: str = ""


def sprint_calendar(sprint: Sprint, *, stamp: datetime) -> bytes:
    """The sprint as an RFC 5545 calendar (``text/calendar`` bytes).

    One weekly VEVENT per recurring event, from the first matching weekday on or
    after ``sprint.starts`` until the end of ``sprint.ends`` (an event whose weekday
    never falls inside the sprint is left out), plus the quarterly review starting
    on ``sprint.ends``. ``stamp`` becomes every DTSTAMP, so the same input and stamp
    give identical bytes. Raises ``ValueError`` for an unknown time zone, an end
    before the start, a weekday outside 0–6, a duration outside 15–240 minutes or
    a naive ``stamp``.
    """
    zone = _zone(sprint.time_zone)
    if sprint.ends < sprint.starts:
        raise ValueError(f"The sprint ends ({sprint.ends}) before it starts ({sprint.starts}).")
    for recurring in sprint.events:
        _check_event(recurring)
    if stamp.tzinfo is None:
        raise ValueError("The stamp must be timezone-aware.")

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # icalendar types X- properties as unknown (written verbatim); vText escapes.
    calendar.add("X-WR-CALNAME", vText(_clean(sprint.name, MAX_TITLE_LENGTH)))
    calendar.add("X-WR-TIMEZONE", sprint.time_zone)

    # RFC 5545 3.3.10: with a zoned DTSTART, UNTIL must be given in UTC.
    until = datetime.combine(sprint.ends, time(23, 59, 59), zone).astimezone(UTC)
    stamp_utc = stamp.astimezone(UTC)
    for recurring in sprint.events:
        first_day = _first_on_or_after(sprint.starts, recurring.weekday)
        if first_day > sprint.ends:
            continue
        weekly = _event(
            uid=recurring.uid,
            title=recurring.title,
            description=recurring.description,
            start=datetime.combine(first_day, recurring.start, zone),
            minutes=recurring.minutes,
            stamp=stamp_utc,
            url=sprint.url,
        )
        weekly.add(
            "RRULE", {"FREQ": "WEEKLY", "BYDAY": WEEKDAYS[recurring.weekday], "UNTIL": until}
        )
        calendar.add_component(weekly)
    calendar.add_component(_review(sprint, zone, stamp_utc))

    calendar.add_missing_timezones(  # kept inside the years a date can hold
        first_date=date(max(MINYEAR, sprint.starts.year - 1), 1, 1),
        last_date=date(min(MAXYEAR, sprint.ends.year + TIMEZONE_YEARS_AHEAD), 1, 1),
    )
    _one_rdate_per_line(calendar)
    ical: bytes = calendar.to_ical()
    return ical


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: "Europe"
        raise ValueError(f"Unknown time zone: {name!r}.") from error


def _check_event(event: RecurringEvent) -> None:
    if not 0 <= event.weekday <= 6:
        raise ValueError(
            f"Weekday must be 0 (Monday) to 6 (Sunday), not {event.weekday} "
            f"(event {event.title!r})."
        )
    if not MIN_MINUTES <= event.minutes <= MAX_MINUTES:
        raise ValueError(
            f"Duration must be {MIN_MINUTES}–{MAX_MINUTES} minutes, not {event.minutes} "
            f"(event {event.title!r})."
        )


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _clean(text: str, limit: int | None = None) -> str:
    """User-typed text made safe to hand to icalendar, which escapes the rest.

    Line breaks become ``\\n`` (icalendar writes them as the TEXT escape), tabs stay,
    every other control character goes; titles are cut to ``limit`` characters.
    One quirk stays: icalendar reads a typed backslash + capital N as a line break
    (its TEXT convention), which changes the text but never leaves the field.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(char for char in text if char in "\n\t" or unicodedata.category(char) != "Cc")
    return text[:limit] if limit is not None else text


def _event(
    *,
    uid: str,
    title: str,
    description: str,
    start: datetime,
    minutes: int,
    stamp: datetime,
    url: str,
) -> Event:
    event = Event()
    event.add("UID", f"{uid}@ladder")
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", start)
    event.add("DTEND", start + timedelta(minutes=minutes))
    event.add("SUMMARY", _clean(title, MAX_TITLE_LENGTH))
    if description:
        event.add("DESCRIPTION", _clean(description))
    if url:
        event.add("URL", url)
    event.add("SEQUENCE", 0)
    event.add("TRANSP", "OPAQUE")
    return event


def _review(sprint: Sprint, zone: ZoneInfo, stamp: datetime) -> Event:
    description = REVIEW_DESCRIPTION
    if sprint.url:
        description += f"\n\nYour ladder: {sprint.url}"
    review = _event(
        uid=sprint.review_uid,
        title=REVIEW_TITLE,
        description=description,
        start=datetime.combine(sprint.ends, sprint.review_time, zone),
        minutes=REVIEW_MINUTES,
        stamp=stamp,
        url=sprint.url,
    )
    review.add("RRULE", _quarterly_rule(sprint.ends.day))

    reminder = Alarm()
    reminder.add("ACTION", "DISPLAY")
    reminder.add("DESCRIPTION", REVIEW_TITLE)
    reminder.add("TRIGGER", timedelta(days=-1))
    review.add_component(reminder)
    return review


def _quarterly_rule(day_of_month: int) -> dict[str, object]:
    """Every third month on the same day of the month.

    A plain monthly rule skips months without that day (a review on 31 May would
    next fall in May of the following year), so from the 29th on the rule takes the
    last of the days 28…day that the month has.
    """
    rule: dict[str, object] = {"FREQ": "MONTHLY", "INTERVAL": REVIEW_EVERY_MONTHS}
    if day_of_month > 28:
        rule["BYMONTHDAY"] = list(range(28, day_of_month + 1))
        rule["BYSETPOS"] = -1
    return rule


def _one_rdate_per_line(calendar: Calendar) -> None:
    """Write each offset change of a VTIMEZONE as its own RDATE line.

    icalendar lists them comma-separated on one line, which RFC 5545 allows, but
    some parsers (vobject among them) keep only the first value and then place
    every later summer in winter time.
    """
    for timezone in calendar.timezones:
        for observance in timezone.subcomponents:
            rdates = observance.pop("RDATE", None)
            if rdates is None:
                continue
            for rdate in rdates if isinstance(rdates, list) else [rdates]:
                for moment in rdate.dts:
                    observance.add("RDATE", moment.dt)


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
