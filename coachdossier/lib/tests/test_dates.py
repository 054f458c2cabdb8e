"""The faster `date` filter writes exactly what Django's writes."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template, defaultfilters
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from coachdossier.lib import dates

NAMED = ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "YEAR_MONTH_FORMAT",
         "MONTH_DAY_FORMAT", None]
CUSTOM = ["Y-m-d", r"l j F Y \o\m H:i", "D d M y", "N jS, P", "W o L t", "E b w z", r"\Y\e\a\r: Y", "c", "r", "U",
          "e O T Z I", "g:i a A f G h s u"]
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

day = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
moment = st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 12, 31),
                      timezones=st.sampled_from([AMSTERDAM, datetime.UTC]))


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(day, moment, moment.map(lambda d: d.replace(tzinfo=None))),
       fmt=st.sampled_from(NAMED + CUSTOM), language=st.sampled_from(["nl", "en"]))
def test_the_filter_formats_every_date_and_datetime_as_django_does(value, fmt, language):
    with translation.override(language):
        try:
            expected = defaultfilters.date(value, fmt)
        except TypeError:  # a plain date asked for time codes: Django refuses, and so do we
            with pytest.raises(TypeError):
                dates.date(value, fmt)
            return
        assert dates.date(value, fmt) == expected


@pytest.mark.parametrize("value", [None, "", "2026-11-23", 42, datetime.time(9, 30)])
def test_values_that_are_not_dates_get_django_s_answer(value):
    assert dates.date(value, "DATE_FORMAT") == defaultfilters.date(value, "DATE_FORMAT")


def test_templates_use_it_and_convert_aware_datetimes_to_local_time_first(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    moment = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)  # 00:30 on the 24th in Amsterdam
    with translation.override("nl"):
        rendered = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"moment": moment}))
    assert rendered == "24-11-2026 00:30"
    assert Template("{{ 1|date }}").engine.template_builtins[-1].filters["date"] is dates.date


def test_a_day_written_once_is_written_again_in_the_language_of_the_page():
    day = datetime.date(2026, 3, 4)
    with translation.override("nl"):
        assert dates.date(day, "DATE_FORMAT") == "4 maart 2026"
    with translation.override("en"):
        assert dates.date(day, "DATE_FORMAT") == defaultfilters.date(day, "DATE_FORMAT")
        assert "March" in dates.date(day, "DATE_FORMAT")


def test_english_pages_write_dates_no_reader_can_take_for_another_day():
    """The English dossier said "12/05/2026 2:39 a.m." for 5 December: 12 May to a European reader
    (lib/formats/en/formats.py)."""
    at = datetime.datetime(2026, 12, 5, 14, 39, tzinfo=AMSTERDAM)
    page = Template('{{ at|date:"SHORT_DATE_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}|'
                    '{{ at|date:"DATETIME_FORMAT" }}')
    with translation.override("en"):
        assert page.render(Context({"at": at})) == "5 Dec 2026|5 Dec 2026 14:39|5 December 2026, 14:39"
    with translation.override("nl"):
        assert page.render(Context({"at": at})) == "5-12-2026|5-12-2026 14:39|5 december 2026 14:39"
