"""Filters for GOV.UK form patterns: ``{{ field.value|date_parts }}`` gives a date input's three boxes."""

from __future__ import annotations

from django import template

from attendwise.web.forms import date_parts as _date_parts

register = template.Library()


@register.filter
def date_parts(value: object) -> dict[str, str]:
    return _date_parts(value)
