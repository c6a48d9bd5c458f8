"""The registers' settings and lists: the LA's file changes what it names and is refused otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from attendwise.registers.settings import SETTINGS, RegistersConfigError, load_registers_config

DOCS = Path(__file__).parents[2] / "docs" / "registers.md"


def test_an_la_file_sets_settings_and_replaces_a_list(tmp_path: Path) -> None:
    file = tmp_path / "ours.toml"
    file.write_text(
        '[settings]\ncme_escalation_school_days = 5\n[[panel_decision]]\nkey = "tuition"\nname = "Tuition"\n'
    )
    config = load_registers_config(file)
    assert config.settings.cme_escalation_school_days == 5
    assert [c.key for c in config.choices("panel_decision")] == ["tuition"]
    assert config.choices("cme_reason") == load_registers_config().choices("cme_reason")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[settings]\nnope = 1\n", "there is no registers setting 'nope'"),
        ("[settings]\ngoverning_board_school_days = 0\n", "whole number of 1 or more"),
        ("[settings]\ncnis_fields = 1\n", "true or false"),
        ('[settings]\nremoval_absence_codes = "G;N"\n', "comma-separated list of codes"),
        ('[[removal_ground]]\nkey = "x"\nname = "X"\ndestination = "mars"\n', "destination must be one of"),
        ('[[ehe_reason]]\nkey = "Bad Key"\nname = "X"\n', "needs a key"),
        ("[stuff]\n", "'stuff' is not part of a registers file"),
        ("[settings\n", "ours.toml"),
    ],
)
def test_bad_files_are_refused_naming_the_file_and_the_fault(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "ours.toml"
    file.write_text(text)
    with pytest.raises(RegistersConfigError, match=re.escape(message)):
        load_registers_config(file)


def test_every_setting_is_documented_with_its_default() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for setting in SETTINGS:
        default = str(setting.default).lower() if isinstance(setting.default, bool) else str(setting.default)
        assert re.search(rf"\| `{setting.name}` \| `{re.escape(default)}` \|", text), setting.name
