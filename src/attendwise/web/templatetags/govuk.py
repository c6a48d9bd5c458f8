"""Filters for GOV.UK form patterns: ``{{ field.value|date_parts }}`` gives a date input's three boxes."""

from __future__ import annotations

from django import template

from attendwise.web.forms import date_parts as _date_parts

register = template.Library()


@register.filter
def term_name(label: str) -> str:
    """``2024/25-autumn`` as people say it: ``Autumn term 2024/25``."""
    from attendwise.web.services.tsm import term_name as name

    return name(label)


@register.filter
def date_parts(value: object) -> dict[str, str]:
    return _date_parts(value)
