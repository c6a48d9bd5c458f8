"""The documents vocabulary on the web's pages: ``{{ table|govuk_table }}`` and ``{{ chart|govuk_chart }}`` lay
out a :class:`~attendwise.documents.tables.Table` or :class:`~attendwise.documents.tables.Chart` as
:mod:`attendwise.documents.html` writes it (escaping every text), the same markup the printed pack uses."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from attendwise.documents.html import chart_html, table_html
from attendwise.documents.tables import Chart, Table

register = template.Library()


@register.filter
def govuk_table(table: Table) -> SafeString:
    return mark_safe(table_html(table))


@register.filter
def govuk_chart(chart: Chart) -> SafeString:
    return mark_safe(chart_html(chart))
