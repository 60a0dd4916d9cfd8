"""When a schedule's rule next falls: APScheduler's CronTrigger picks the days (weekdays, the
Nth or last weekday of a month, a day of the month), and the time of day is set on the chosen
day where the rule's time zone is, so daylight saving time neither skips nor doubles it (a time
that does not exist that day is moved forward by the gap; one that exists twice is the first).
Every N weeks or months is counted from the rule's first day."""

from datetime import UTC, date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from core.schedules import LAST, MONTHLY, Rule

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", LAST: "last"}
SEARCH_DAYS = 800  # a rule whose next occurrence is further off than this has none


def _day_picker(rule: Rule) -> CronTrigger:
    """A trigger at noon (never inside a DST change) on every day the rule can fall on."""
    if rule.freq == MONTHLY:
        if rule.month_day is not None:
            day = "last" if rule.month_day == LAST else str(rule.month_day)
        else:
            day = f"{ORDINAL[rule.nth]} {DAYS[rule.weekday]}"
        return CronTrigger(day=day, hour=12, minute=0, timezone=rule.zone)
    weekdays = ",".join(DAYS[d] for d in sorted(rule.weekdays))
    return CronTrigger(day_of_week=weekdays, hour=12, minute=0, timezone=rule.zone)


def _in_step(rule: Rule, day: date) -> bool:
    """Every N weeks (or months), counted from the week (or month) of the rule's first day."""
    if rule.every == 1:
        return True
    if rule.freq == MONTHLY:
        months = (day.year - rule.starts_on.year) * 12 + day.month - rule.starts_on.month
        return months % rule.every == 0
    first_monday = rule.starts_on - timedelta(days=rule.starts_on.weekday())
    return ((day - first_monday).days // 7) % rule.every == 0


def at_on(rule: Rule, day: date) -> datetime:
    """The rule's time of day on `day`, as an instant (UTC)."""
    local = datetime.combine(day, time(rule.minute // 60, rule.minute % 60), tzinfo=rule.zone)
    return local.astimezone(UTC)


def next_after(rule: Rule, after: datetime) -> datetime | None:
    """The first occurrence of `rule` strictly after `after`, never before its first day."""
    picker = _day_picker(rule)
    start = max(after.astimezone(rule.zone).date(), rule.starts_on)
    probe = datetime.combine(start, time(0), tzinfo=rule.zone)
    last_day = start + timedelta(days=SEARCH_DAYS)
    while True:
        noon = picker.get_next_fire_time(None, probe)
        if noon is None or noon.date() > last_day:
            return None
        day = noon.astimezone(rule.zone).date()
        if _in_step(rule, day):
            occurrence = at_on(rule, day)
            if occurrence > after:
                return occurrence
        probe = datetime.combine(day + timedelta(days=1), time(0), tzinfo=rule.zone)
