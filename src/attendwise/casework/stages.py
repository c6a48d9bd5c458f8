"""The LA's staged intervention model, as configuration, and the stage a pupil's attendance suggests.

A stage model is a TOML file written like a band scheme (:mod:`attendwise.measures.bands`): ``[[stage]]``
entries on the **attendance rate**, each end saying whether it is included, together covering 0-100%
exactly once (checked by the same code as band schemes, so stages and bands treat edges alike). Each
stage also has a ``number`` (1 for the highest attendance, counting up as attendance falls), the
``lead`` practitioner (a key of the ``[lead]`` table), optionally ``lead_with_family_support`` (who leads
instead once the family qualifies for intensive family support) and the typical ``actions``.

One preset ships (``three-stages``: prevention over 90%, early intervention over 50% to 90%, targeted
support 50% or less, led by the school, the school then the LA Supporting Families team, and the LA
attendance officer); an LA writes its own file in the same form and names its path.

attendwise only *suggests* a stage (:func:`suggest_stage`, :func:`suggest_from_band_move`), with the
figures behind it; a person decides, and says why (:func:`attendwise.casework.commands.change_stage`).

Examples:
    >>> model = load_stage_model("three-stages")
    >>> [s.number for s in model.stages], model.stage_for(342, 380).name
    ([1, 2, 3], 'Early intervention')
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from attendwise.core.errors import AttendwiseError
from attendwise.measures.bands import Band, BandScheme, SchemeError, parse_scheme, read_preset_or_file

__all__ = [
    "STAGE_MODELS",
    "AttendanceFigures",
    "Stage",
    "StageModel",
    "StageModelError",
    "StageSuggestion",
    "load_stage_model",
    "parse_stage_model",
    "percent_text",
    "suggest_from_band_move",
    "suggest_stage",
]

#: The stage models shipped with attendwise, by name.
STAGE_MODELS = {"three-stages": "three_stages.toml"}


class StageModelError(AttendwiseError):
    """A stage model that is malformed, leaves a gap or overlaps, or names a lead that is not defined."""


@dataclass(frozen=True)
class Stage:
    """One stage of the model: its attendance range (a :class:`~attendwise.measures.bands.Band`) and who leads."""

    key: str
    number: int
    name: str
    band: Band
    lead: str
    lead_name: str
    #: Who leads instead once the family qualifies for intensive family support (``None``: no change).
    lead_with_family_support: str | None = None
    lead_with_family_support_name: str | None = None
    actions: str = ""

    @property
    def label(self) -> str:
        """``Stage 2: early intervention``."""
        return f"Stage {self.number}: {self.name[:1].lower()}{self.name[1:]}"

    @property
    def colour(self) -> str:
        return self.band.colour

    def lead_for(self, family_support: bool) -> str:
        """The lead practitioner's key, given whether the family qualifies for intensive family support."""
        return self.lead_with_family_support if family_support and self.lead_with_family_support else self.lead

    def describe(self) -> str:
        """The stage in words: ``Stage 2: early intervention: attendance over 50% and at most 90%; lead ...``."""
        range_text = self.band.describe().split(": ", 1)[1]
        lead = self.lead_name
        if self.lead_with_family_support_name:
            lead += f", then {self.lead_with_family_support_name} once the family qualifies for intensive support"
        return f"{self.label}: {range_text}; lead practitioner: {lead}"


@dataclass(frozen=True)
class StageModel:
    """The LA's stages, from stage 1 (the highest attendance) up."""

    name: str
    description: str
    stages: tuple[Stage, ...]
    #: Lead practitioners by key (``school`` -> ``School``).
    leads: dict[str, str]

    def stage(self, key: str) -> Stage:
        """The stage with this key.

        Raises:
            StageModelError: the model has no such stage.
        """
        for s in self.stages:
            if s.key == key:
                return s
        known = ", ".join(s.key for s in self.stages)
        raise StageModelError(f"{self.name} has no stage {key!r} (its stages are {known})")

    def by_number(self, number: int) -> Stage:
        for s in self.stages:
            if s.number == number:
                return s
        raise StageModelError(f"{self.name} has no stage {number} (its stages are 1 to {len(self.stages)})")

    def stage_for(self, attended: int, possible: int) -> Stage:
        """The stage of a pupil who attended ``attended`` of ``possible`` sessions (exact arithmetic)."""
        if possible <= 0:
            raise StageModelError("a stage needs at least one possible session")
        rate = Fraction(100 * attended, possible)
        return next(s for s in self.stages if s.band.contains(rate))

    def stage_for_percent(self, attendance_percent: Fraction | int | str) -> Stage:
        """The stage of an attendance rate given as a percentage (``Fraction("90.9")``, ``91``, ``"50.5"``)."""
        rate = Fraction(attendance_percent)
        return next(s for s in self.stages if s.band.contains(rate))

    @property
    def edges(self) -> tuple[Fraction, ...]:
        """Every bound between two stages (90 and 50 in the three stages)."""
        return tuple(sorted({s.band.lower for s in self.stages} - {Fraction(0)}))

    def describe(self) -> str:
        return "\n".join([f"{self.name}: {self.description}", *[f"  {s.describe()}" for s in self.stages]])


def parse_stage_model(data: dict[str, object], source: str) -> StageModel:
    """Build and check a stage model from parsed TOML (see the module's docstring for the form).

    Raises:
        StageModelError: naming the file, the stage and what is wrong.
    """
    try:
        scheme: BandScheme = parse_scheme(data, source, noun="stage")
    except SchemeError as exc:
        raise StageModelError(str(exc)) from None
    leads = data.get("lead", {})
    if not isinstance(leads, dict) or not leads or not all(isinstance(v, str) and v.strip() for v in leads.values()):
        raise StageModelError(
            f'{source}: a stage model needs a [lead] table naming who can lead a plan (school = "School", ...)'
        )
    entries = {str(e["key"]): e for e in data["stage"]}  # type: ignore[union-attr]
    stages = []
    for position, band in enumerate(scheme.bands, start=1):  # highest attendance first
        entry = entries[band.key]
        where = f"{source}: stage {band.key!r}"
        number = entry.get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            raise StageModelError(f"{where} needs a number (1 for the highest attendance, counting up)")
        if number != position:
            raise StageModelError(
                f"{where} is number {number}, but it is stage {position} counting from the highest attendance: "
                "stages are numbered 1, 2, 3... as attendance falls"
            )
        names = {}
        for field in ("lead", "lead_with_family_support"):
            value = entry.get(field)
            if value is None and field == "lead_with_family_support":
                continue
            if not isinstance(value, str) or value not in leads:
                raise StageModelError(
                    f"{where}: {field} must be one of the [lead] table's keys ({', '.join(leads)}), got {value!r}"
                )
            names[field] = leads[value]
        stages.append(
            Stage(
                key=band.key,
                number=number,
                name=band.name,
                band=band,
                lead=str(entry["lead"]),
                lead_name=names["lead"],
                lead_with_family_support=entry.get("lead_with_family_support"),  # type: ignore[arg-type]
                lead_with_family_support_name=names.get("lead_with_family_support"),
                actions=str(entry.get("actions", "")),
            )
        )
    return StageModel(scheme.name, scheme.description, tuple(stages), {str(k): str(v) for k, v in leads.items()})


def load_stage_model(name_or_path: str | Path) -> StageModel:
    """Load a shipped stage model by name (``three-stages``) or an LA's TOML file."""
    data, source = read_preset_or_file(
        name_or_path, STAGE_MODELS, "attendwise.casework.presets", StageModelError, ("stage model preset", "file")
    )
    return parse_stage_model(data, source)


# -- suggestions ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttendanceFigures:
    """A pupil's sessions over one period: what a stage suggestion is worked out from, and quoted with."""

    period: str
    attended: int
    possible: int

    @property
    def percent(self) -> Fraction:
        return Fraction(100 * self.attended, self.possible)

    def describe(self, edges: tuple[Fraction, ...] = ()) -> str:
        """``88.2% (335 of 380 possible sessions attended, 2024/25 so far)``.

        The percentage is given to one place unless that would put it on one of ``edges`` (a stage's
        bound) when it is not exactly there: 89.96% reads ``89.96%``, never ``90.0%``, so the words never
        put a pupil in another stage than their sessions do.
        """
        return (
            f"{percent_text(self.percent, edges)}% "
            f"({self.attended} of {self.possible} possible sessions attended, {self.period})"
        )


def percent_text(rate: Fraction, edges: tuple[Fraction, ...] = ()) -> str:
    """``rate`` to one decimal place, or more where one place would land on an edge it is not on.

    >>> percent_text(Fraction(335 * 100, 380)), percent_text(Fraction("89.96"), (Fraction(90),))
    ('88.2', '89.96')
    >>> percent_text(Fraction(90), (Fraction(90),)), percent_text(Fraction("90.04"), (Fraction(90),))
    ('90.0', '90.04')
    """
    for places in range(1, 7):
        scaled = rate * 10**places
        rounded = Fraction(int(scaled + Fraction(1, 2)), 10**places)  # half up; rates are never negative
        if rounded == rate or rounded not in edges:
            break
    return f"{float(rounded):.{places}f}"


@dataclass(frozen=True)
class StageSuggestion:
    """The stage the figures fall in, beside the case's stage: for a person to accept or not."""

    figures: AttendanceFigures
    suggested: Stage
    current: Stage | None
    #: The bounds of the model's stages, so the percentage quoted never lands on one it is not on.
    edges: tuple[Fraction, ...] = ()

    @property
    def moves(self) -> bool:
        """Whether the suggestion differs from the case's stage."""
        return self.current is None or self.suggested.key != self.current.key

    @property
    def direction(self) -> str | None:
        """``"up"`` (a higher stage: attendance has fallen), ``"down"`` or ``None`` (no change)."""
        if self.current is None or not self.moves:
            return None
        return "up" if self.suggested.number > self.current.number else "down"

    def describe(self) -> str:
        text = f"Attendance {self.figures.describe(self.edges)} is in {self.suggested.label.lower()}"
        if self.current is None:
            return f"{text}."
        if not self.moves:
            return f"{text}, the case's stage."
        verb = "moving up" if self.direction == "up" else "moving down"
        return f"{text}; the case is at {self.current.label.lower()}: consider {verb} to stage {self.suggested.number}."


def suggest_stage(model: StageModel, current: str | None, figures: AttendanceFigures) -> StageSuggestion:
    """The stage ``figures`` fall in, against the case's ``current`` stage key (``None``: no case yet).

    Examples:
        >>> model = load_stage_model("three-stages")
        >>> s = suggest_stage(model, "prevention", AttendanceFigures("2024/25 so far", 335, 380))
        >>> s.moves, s.direction, s.describe()
        (True, 'up', 'Attendance 88.2% (335 of 380 possible sessions attended, 2024/25 so far) is in stage 2: \
early intervention; the case is at stage 1: prevention: consider moving up to stage 2.')
    """
    if figures.possible <= 0:
        raise StageModelError(f"no possible sessions in {figures.period}: no stage can be suggested")
    suggested = model.stage_for(figures.attended, figures.possible)
    return StageSuggestion(figures, suggested, model.stage(current) if current is not None else None, model.edges)


def suggest_from_band_move(
    model: StageModel, current: str | None, before: AttendanceFigures, after: AttendanceFigures
) -> StageSuggestion | None:
    """A suggestion when a pupil's attendance moves from one stage's range to another's between two
    periods (last half term to this one, say), else ``None``: the band move that prompts a review."""
    if before.possible <= 0 or after.possible <= 0:
        return None
    if model.stage_for(before.attended, before.possible).key == model.stage_for(after.attended, after.possible).key:
        return None
    return suggest_stage(model, current, after)
