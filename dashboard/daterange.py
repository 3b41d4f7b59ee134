"""The project's one documented date range: a date outside it is a problem wherever data is read."""

import datetime

EARLIEST = datetime.date(1800, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def in_range(d: datetime.date) -> bool:
    return EARLIEST <= d <= LATEST


# What a problem says of a date outside the range (docs/DATA.md, "Dates and precision").
OUTSIDE = f"outside the dates the data may hold, {EARLIEST.isoformat()} to {LATEST.isoformat()}"
