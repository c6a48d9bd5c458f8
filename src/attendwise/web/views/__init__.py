"""Thin views: check the rule, call one service, render (or stream) what it built."""

from __future__ import annotations
