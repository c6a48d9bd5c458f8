"""The pack as files (:mod:`attendwise.reports.tsm.files`)."""

from __future__ import annotations

import pytest

from attendwise.core.errors import AttendwiseError
from attendwise.reports.tsm import TSMPack, write_pack


class TestFiles:
    def test_an_unknown_extension_is_refused(self, pack: TSMPack, tmp_path) -> None:
        with pytest.raises(AttendwiseError, match=r"\.pdf"):
            write_pack(pack, tmp_path / "pack.pdf")
