"""One date format across every page (issue 15): ISO dates, read the same way in every country
the portfolio spans, and sorting the same as text. Django's localisation prefers a locale's
formats over the DATE_FORMAT setting, so the project's formats live here (FORMAT_MODULE_PATH)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_FORMAT = "F Y"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
# Grouping as the money formatter writes it (portfolio.money): 1,234,567.89
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
