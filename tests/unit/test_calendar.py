"""The sprint calendar (.ics): it parses back with two independent parsers, events
keep their local time across daylight-saving changes, user text stays in its field,
and re-imports update rather than duplicate."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar

from ladder.method.calendar import (
    MAX_TITLE_LENGTH,
    PRODID,
    REVIEW_TITLE,
    RecurringEvent,
    Sprint,
    sprint_calendar,
)

STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DISCOVERY = RecurringEvent(
    uid="6f1c2a9e-4b1d-4f0e-9a57-1d2e3c4b5a60",
    title="Requirements discovery with the product team",
    weekday=1,  # Tuesday
    start=time(16, 0),
    minutes=90,
    description="Bring two open questions from the backlog.",
)
ARCHITECTURE = RecurringEvent(
    uid="0b8e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
    title="Architecture decision review",
    weekday=3,  # Thursday
    start=time(10, 30),
    minutes=60,
)
LONDON = Sprint(
    name="Ladder sprint: Backend developer → rung 3",
    time_zone="Europe/London",
    starts=date(2026, 3, 2),  # a Monday; BST starts on Sunday 29 March
    ends=date(2026, 5, 30),  # a Saturday
    events=(DISCOVERY, ARCHITECTURE),
    review_uid="9d3f6b1a-2c4e-4a8b-b7d5-e6f7a8b9c0d1",
    url="https://ladder.example/sprints/k3Jx9",
)
HOSTILE_TITLE = 'Negotiate, then; close\nthe deal \\ "now" <script>alert(1)</script> 🤝'


def build(sprint=LONDON, **changes):
    return sprint_calendar(replace(sprint, **changes), stamp=STAMP)


def unfolded_lines(ical):
    """Content lines as a parser sees them (RFC 5545 3.1: CRLF + space continues)."""
    return ical.decode().replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def icalendar_events(ical):
    return Calendar.from_ical(ical).walk("VEVENT")


def vobject_events(ical):
    return vobject.readOne(ical.decode()).vevent_list


def by_uid(events, uid):
    return next(event for event in events if str(event["UID"]) == uid)


def occurrences(event, limit=None):
    """Expand DTSTART + RRULE with dateutil, in the zone icalendar parsed (zoneinfo)."""
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.start)
    return list(itertools.islice(rule, limit))


def days_between(first, last, weekday):
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() == weekday]


# Both parsers read the file the same way


def test_the_calendar_parses_back_with_icalendar_and_vobject():
    ical = build()
    parsed = Calendar.from_ical(ical)
    assert str(parsed["PRODID"]) == PRODID
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["CALSCALE"]) == "GREGORIAN"
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/London"

    expected_uids = {
        f"{DISCOVERY.uid}@ladder",
        f"{ARCHITECTURE.uid}@ladder",
        f"{LONDON.review_uid}@ladder",
    }
    assert {str(event["UID"]) for event in icalendar_events(ical)} == expected_uids
    independent = vobject.readOne(ical.decode())
    assert {event.uid.value for event in independent.vevent_list} == expected_uids
    assert independent.contents["x-wr-calname"][0].value == LONDON.name


def test_weekly_events_carry_the_fields_a_calendar_app_needs():
    event = by_uid(icalendar_events(build()), f"{DISCOVERY.uid}@ladder")
    assert str(event["SUMMARY"]) == DISCOVERY.title
    assert str(event["DESCRIPTION"]) == DISCOVERY.description
    assert str(event["URL"]) == LONDON.url
    assert event["SEQUENCE"] == 0
    assert str(event["TRANSP"]) == "OPAQUE"
    assert event.DTSTAMP == STAMP
    assert event.start == datetime(2026, 3, 3, 16, 0, tzinfo=ZoneInfo("Europe/London"))
    assert event.end - event.start == timedelta(minutes=90)
    assert event["DTSTART"].params["TZID"] == "Europe/London"


def test_optional_fields_are_left_out_when_empty():
    event = by_uid(icalendar_events(build(url="")), f"{ARCHITECTURE.uid}@ladder")
    assert "URL" not in event
    assert "DESCRIPTION" not in event


# User-typed text stays inside its field


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (HOSTILE_TITLE, HOSTILE_TITLE),
        ("Lead the deal\r\nBEGIN:VEVENT\r\nUID:evil", "Lead the deal\nBEGIN:VEVENT\nUID:evil"),
        ("Client call\nATTENDEE:mailto:x@y", "Client call\nATTENDEE:mailto:x@y"),
        ("Bell\x07, NUL\x00 and DEL\x7f go;\ttabs stay", "Bell, NUL and DEL go;\ttabs stay"),
        ("Trailing backslash \\", "Trailing backslash \\"),
    ],
)
def test_hostile_titles_round_trip_and_stay_in_their_field(typed, stored):
    hostile = replace(DISCOVERY, title=typed, description=typed)
    ical = build(name=typed, events=(hostile, ARCHITECTURE))
    uid = f"{DISCOVERY.uid}@ladder"

    parsed = by_uid(icalendar_events(ical), uid)
    assert str(parsed["SUMMARY"]) == stored
    assert str(parsed["DESCRIPTION"]) == stored
    independent = next(e for e in vobject_events(ical) if e.uid.value == uid)
    assert independent.summary.value == stored
    assert independent.description.value == stored
    assert vobject.readOne(ical.decode()).contents["x-wr-calname"][0].value == stored

    lines = unfolded_lines(ical)
    assert sum(line.startswith("SUMMARY") for line in lines) == 3  # one per event
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 3
    assert not any(line.startswith(("ATTENDEE", "UID:evil")) for line in lines)


def test_a_literal_backslash_n_is_read_as_a_line_break_but_stays_in_its_field():
    # icalendar's TEXT convention: "\N" in a Python string means a line break. It
    # changes the text (rare in a title) but can never start a new property.
    ical = build(events=(replace(DISCOVERY, title="Save to C:\\New"),))
    assert str(icalendar_events(ical)[0]["SUMMARY"]) == "Save to C:\new"
    assert sum(line.startswith("SUMMARY") for line in unfolded_lines(ical)) == 2


def test_long_titles_are_cut_to_200_characters():
    ical = build(events=(replace(DISCOVERY, title="x" * 500),))
    assert str(icalendar_events(ical)[0]["SUMMARY"]) == "x" * MAX_TITLE_LENGTH


# Local times survive daylight-saving changes


@pytest.mark.parametrize(
    ("zone", "starts", "ends", "dst_starts", "winter", "summer"),
    [
        (
            "Europe/London",
            date(2026, 3, 2),
            date(2026, 5, 30),
            date(2026, 3, 29),
            timedelta(0),
            timedelta(hours=1),
        ),
        (
            "America/New_York",
            date(2026, 2, 16),
            date(2026, 5, 16),
            date(2026, 3, 8),
            timedelta(hours=-5),
            timedelta(hours=-4),
        ),
    ],
)
def test_weekly_events_keep_their_local_time_across_a_dst_change(
    zone, starts, ends, dst_starts, winter, summer
):
    ical = build(time_zone=zone, starts=starts, ends=ends, events=(DISCOVERY,))
    tuesdays = days_between(starts, ends, weekday=1)
    uid = f"{DISCOVERY.uid}@ladder"

    # icalendar + dateutil, with the IANA zone.
    expanded = occurrences(by_uid(icalendar_events(ical), uid))
    assert [moment.date() for moment in expanded] == tuesdays
    assert all(moment.time() == time(16, 0) for moment in expanded)
    assert expanded[-1].date() <= ends
    assert {m.utcoffset() for m in expanded if m.date() < dst_starts} == {winter}
    assert {m.utcoffset() for m in expanded if m.date() > dst_starts} == {summer}

    # vobject, with only the file's own VTIMEZONE (as an app without tzdata sees it).
    independent = vobject.readOne(ical.decode())
    from_file = independent.vtimezone.gettzinfo()
    event = next(e for e in independent.vevent_list if e.uid.value == uid)
    wall_clock = [moment.replace(tzinfo=None) for moment in event.getrruleset()]
    assert [moment.date() for moment in wall_clock] == tuesdays
    assert all(moment.time() == time(16, 0) for moment in wall_clock)
    assert [m.replace(tzinfo=from_file).utcoffset() for m in wall_clock] == [
        m.utcoffset() for m in expanded
    ]


def test_the_sprint_ends_at_the_end_of_its_last_local_day():
    # 30 May 2026 is a Saturday in BST: 23:59:59 local is 22:59:59 UTC.
    late = replace(DISCOVERY, weekday=5, start=time(21, 0))
    ical = build(events=(late,))
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260530T225959Z;BYDAY=SA" in unfolded_lines(ical)
    expanded = occurrences(icalendar_events(ical)[0])
    assert expanded[-1] == datetime(2026, 5, 30, 21, 0, tzinfo=ZoneInfo("Europe/London"))
    assert len(expanded) == len(days_between(LONDON.starts, LONDON.ends, weekday=5))


def test_an_event_whose_weekday_never_falls_in_the_sprint_is_left_out():
    ical = build(starts=date(2026, 3, 2), ends=date(2026, 3, 3), events=(ARCHITECTURE,))
    assert [str(e["SUMMARY"]) for e in icalendar_events(ical)] == [REVIEW_TITLE]


def test_a_utc_sprint_needs_no_vtimezone():
    ical = build(time_zone="UTC")
    assert "DTSTART:20260303T160000Z" in unfolded_lines(ical)
    assert Calendar.from_ical(ical).get_missing_tzids() == set()


# Stable identity: a re-import updates, never duplicates


def test_the_same_sprint_gives_the_same_uids_and_identical_bytes():
    first, second = build(), build()
    assert first == second
    assert [str(e["UID"]) for e in icalendar_events(first)] == [
        str(e["UID"]) for e in icalendar_events(second)
    ]


def test_only_the_stamp_changes_when_the_file_is_built_again_later():
    earlier = build()
    later = sprint_calendar(LONDON, stamp=STAMP + timedelta(days=7))
    changed = set(unfolded_lines(earlier)) ^ set(unfolded_lines(later))
    assert changed == {"DTSTAMP:20260301T120000Z", "DTSTAMP:20260308T120000Z"}


# The quarterly review


def test_the_review_is_a_quarterly_hour_with_a_reminder_the_day_before():
    review = by_uid(icalendar_events(build()), f"{LONDON.review_uid}@ladder")
    assert str(review["SUMMARY"]) == REVIEW_TITLE
    assert review.start == datetime(2026, 5, 30, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert review.end - review.start == timedelta(minutes=60)
    rule = review["RRULE"]
    assert rule["FREQ"] == ["MONTHLY"]
    assert rule["INTERVAL"] == [3]
    assert "UNTIL" not in rule
    assert "COUNT" not in rule
    description = str(review["DESCRIPTION"])
    assert "AI" in description
    assert LONDON.url in description

    [alarm] = review.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(days=-1)
    assert str(alarm["DESCRIPTION"])

    upcoming = occurrences(review, limit=4)
    assert [m.date() for m in upcoming] == [
        date(2026, 5, 30),
        date(2026, 8, 30),
        date(2026, 11, 30),
        date(2027, 2, 28),  # no 30 February: the last day of the month instead
    ]
    assert all(m.time() == time(9, 0) for m in upcoming)


def test_a_review_on_the_31st_falls_on_the_last_day_of_shorter_months():
    ical = build(ends=date(2026, 5, 31), review_time=time(8, 15))
    review = by_uid(icalendar_events(ical), f"{LONDON.review_uid}@ladder")
    upcoming = occurrences(review, limit=5)
    assert [m.date() for m in upcoming] == [
        date(2026, 5, 31),
        date(2026, 8, 31),
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 31),
    ]
    assert all(m.time() == time(8, 15) for m in upcoming)

    independent = next(
        e for e in vobject_events(ical) if e.uid.value == f"{LONDON.review_uid}@ladder"
    )
    wall_clock = [m.replace(tzinfo=None) for m in itertools.islice(independent.getrruleset(), 5)]
    assert wall_clock == [m.replace(tzinfo=None) for m in upcoming]


def test_a_review_early_in_the_month_keeps_a_plain_quarterly_rule():
    ical = build(ends=date(2026, 5, 28))
    assert "RRULE:FREQ=MONTHLY;INTERVAL=3" in unfolded_lines(ical)


# The time zone travels with the file


def test_the_vtimezone_for_the_sprint_zone_is_included():
    ical = build()
    parsed = Calendar.from_ical(ical)
    assert [timezone.tz_name for timezone in parsed.timezones] == ["Europe/London"]
    assert parsed.get_missing_tzids() == set()
    lines = unfolded_lines(ical)
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")


def test_the_vtimezone_covers_the_following_years_for_any_parser():
    # One RDATE per line: vobject keeps only the first of a comma-separated list.
    ical = build()
    assert not any(line.startswith("RDATE") and "," in line for line in unfolded_lines(ical))
    from_file = vobject.readOne(ical.decode()).vtimezone.gettzinfo()
    for year in range(2026, 2036):
        assert datetime(year, 7, 1, 12, tzinfo=from_file).utcoffset() == timedelta(hours=1)
        assert datetime(year, 12, 1, 12, tzinfo=from_file).utcoffset() == timedelta(0)


# Validation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"time_zone": "Europe"}, "Unknown time zone"),
        ({"time_zone": ""}, "Unknown time zone"),
        ({"time_zone": "../etc/passwd"}, "Unknown time zone"),
        ({"ends": date(2026, 3, 1)}, "ends .* before it starts"),
        ({"events": (replace(DISCOVERY, weekday=7),)}, "Weekday must be 0"),
        ({"events": (replace(DISCOVERY, weekday=-1),)}, "Weekday must be 0"),
        ({"events": (replace(DISCOVERY, minutes=14),)}, "Duration must be 15–240"),
        ({"events": (replace(DISCOVERY, minutes=241),)}, "Duration must be 15–240"),
    ],
)
def test_invalid_sprints_are_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        build(**changes)


def test_the_duration_limits_are_inclusive():
    for minutes in (15, 240):
        event = icalendar_events(build(events=(replace(DISCOVERY, minutes=minutes),)))[0]
        assert event.end - event.start == timedelta(minutes=minutes)


def test_a_naive_stamp_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        sprint_calendar(LONDON, stamp=datetime(2026, 3, 1, 12))
