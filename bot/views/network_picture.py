"""The picture of a member's board (a PNG) and its words for screen readers: the member at the
centre, each advisor on a ring by how close they are (very close innermost, not said outermost),
in a sector by where the member knows them from (not said: a sector of its own), coloured by the
support they give (career, personal, both, none recorded) and shaped by seniority. Alumni are
never passed in.

Drawn with matplotlib's object API only (a `Figure` on its own Agg canvas, never pyplot's global
state), so a long-running process keeps nothing of a picture once it is made. Where everything
goes is decided first, in plain geometry (`layout`): the canvas is measured in pixels, and each
label tries a few places beside its dot, taking the first that overlaps nothing placed before."""

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from math import cos, radians, sin

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.patches import Circle

from core.models import Origin, RelationshipKind, Support


@dataclass(frozen=True)
class PictureAdvisor:
    """One active advisor as the picture needs them: plain values from the board."""

    name: str
    closeness: int | None = None  # 1 acquaintance .. 4 very close; None: not said
    origin: str | None = None  # an Origin value; None (or anything else): not said
    support: Sequence[str] = ()  # Support values
    relationship: str = RelationshipKind.OTHER


# --- what the picture shows, and in which words

CAREER = frozenset(
    {
        Support.SPONSORSHIP,
        Support.COACHING,
        Support.EXPOSURE,
        Support.PROTECTION,
        Support.STRETCH,
        Support.INTRODUCTIONS,
    }
)
PERSONAL = frozenset({Support.ROLE_MODEL, Support.ACCEPTANCE, Support.COUNSEL, Support.FRIENDSHIP})
# Colours a colour-blind reader tells apart (Okabe and Ito's palette).
SUPPORT_KINDS = {
    "career": ("#0072B2", "Career support"),
    "personal": ("#E69F00", "Personal support"),
    "both": ("#009E73", "Both"),
    "none": ("#9A9A9A", "None recorded"),
}
SHAPES = {
    RelationshipKind.SENIOR: ("^", "Senior"),
    RelationshipKind.PEER: ("o", "Peer"),
    RelationshipKind.JUNIOR: ("v", "Junior"),
    RelationshipKind.FAMILY_FRIEND: ("D", "Family or friend"),
    RelationshipKind.OTHER: ("s", "Other"),
}
ORIGINS = {
    Origin.EMPLOYER: "Current employer",
    Origin.FORMER_EMPLOYER: "Former employer",
    Origin.SCHOOL: "School",
    Origin.ASSOCIATION: "Professional association",
    Origin.COMMUNITY: "Community",
    Origin.FAMILY: "Family",
    Origin.ONLINE: "Online",
    None: "Where from: not said",
}
RINGS = {4: "Very close", 3: "Close", 2: "Friendly", 1: "Acquaintance", None: "Closeness not said"}
NAME_LIMIT = 18  # characters of a name beside its dot
EMPTY = "Advisors you enlist appear here, nearer the centre the closer you are."


def support_kind(support: Sequence[str]) -> str:
    """career, personal, both or none: what colours an advisor."""
    given = set(support)
    career, personal = bool(given & CAREER), bool(given & PERSONAL)
    if career and personal:
        return "both"
    return "career" if career else "personal" if personal else "none"


def origin_of(advisor: PictureAdvisor) -> Origin | None:
    """Where they come from; anything that is not an Origin counts as not said (never guessed)."""
    return Origin(advisor.origin) if advisor.origin in set(Origin) else None


def closeness_of(advisor: PictureAdvisor) -> int | None:
    return advisor.closeness if advisor.closeness in (1, 2, 3, 4) else None


def short_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A name that fits beside a dot: 'Maximilian Habsburg-Lothringen' -> 'Maximilian H.'."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    words = name.split(" ")
    initial = f"{words[0]} {words[-1][0]}."
    if len(words) > 1 and len(initial) <= limit:
        return initial
    return name[: limit - 1].rstrip() + "…"


def sectors(advisors: Sequence[PictureAdvisor]) -> list[tuple[Origin | None, list]]:
    """Advisors by where they come from, in Origin's order and not said last. Within a sector,
    each ring's advisors are spread across its width, so that neighbours seldom share a ring."""
    found: dict[Origin | None, list[PictureAdvisor]] = {}
    for advisor in advisors:
        found.setdefault(origin_of(advisor), []).append(advisor)
    return [(origin, _spread(found[origin])) for origin in [*Origin, None] if origin in found]


def _spread(advisors: list[PictureAdvisor]) -> list[PictureAdvisor]:
    rings: dict[int | None, list[PictureAdvisor]] = {}
    for advisor in sorted(advisors, key=lambda a: a.name.casefold()):
        rings.setdefault(closeness_of(advisor), []).append(advisor)
    n = len(advisors)
    placed = [
        ((j + 0.5) * n / len(ring), -(closeness or 0), j, advisor)
        for closeness, ring in rings.items()
        for j, advisor in enumerate(ring)
    ]
    return [advisor for *_, advisor in sorted(placed, key=lambda p: p[:3])]


ALT_LIMIT = 1000  # characters Slack takes as a picture's alt text


def alt_text(member_name: str, advisors: Sequence[PictureAdvisor]) -> str:
    """The picture in one paragraph, for screen readers: who is on which ring, where they come
    from and the support they give (fewer names when it would be too long for Slack)."""
    member = " ".join(member_name.split()) or "You"
    whose, who = ("your board", "you") if _is_you(member) else (whose_board(member), member)
    if not advisors:
        return f"A picture of {whose}: no advisors yet, only {who} at the centre."
    count = len(advisors)
    opening = (
        f"A picture of {whose}: {who} at the centre and {count} "
        f"advisor{'s' * (count != 1)} around, nearer the centre the closer they are."
    )
    rings = {c: [a for a in advisors if closeness_of(a) == c] for c in RINGS}
    origins = [
        f"{ORIGINS[o].lower()} {len(found)}" if o else f"not said for {len(found)}"
        for o, found in sectors(advisors)
    ]
    kinds = {k: [a for a in advisors if support_kind(a.support) == k] for k in SUPPORT_KINDS}
    said = {
        "career": "career support from",
        "personal": "personal support from",
        "both": "both from",
        "none": "none recorded for",
    }
    for named_rings, named_kinds in ((True, True), (True, False), (False, False)):
        ring_parts = [
            f"{RINGS[c]}: {_names(found) if named_rings else len(found)}."
            for c, found in rings.items()
            if found
        ]
        kind_parts = [
            f"{said[k]} {_names(found) if named_kinds else len(found)}"
            for k, found in kinds.items()
            if found
        ]
        text = " ".join(
            [
                opening,
                *ring_parts,
                f"Where they come from: {', '.join(origins)}.",
                f"Colour shows the support they give: {'; '.join(kind_parts)}.",
            ]
        )
        if len(text) <= ALT_LIMIT:
            return text
    return text[: ALT_LIMIT - 1] + "…"


def whose_board(member: str) -> str:
    """'Your board' when the picture is drawn for the member themself ("You" at the centre),
    else "Alice's board"."""
    return "Your board" if _is_you(member) else f"{member}'s board"


def _is_you(member: str) -> bool:
    return member.casefold() == "you"


def _names(advisors: Sequence[PictureAdvisor]) -> str:
    names = [" ".join(a.name.split()) for a in advisors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- the canvas, in pixels (y up)

DPI = 120
WIDTH = HEIGHT = 960  # 8 x 8 inches
CENTRE = (WIDTH / 2, 525.0)
RADII = {4: 100.0, 3: 155.0, 2: 210.0, 1: 265.0, None: 320.0}  # by closeness, None outermost
TITLE_Y = HEIGHT - 30
LEGEND_TOP = 105.0  # the legend's band is below this
NAME_SIZE, SECTOR_SIZE, RING_SIZE, MEMBER_SIZE, TITLE_SIZE = 8.0, 8.5, 7.0, 9.0, 12.0
DOT = 8.0  # a dot's half width
PNG_OPTIONS = {"compress_level": 1}  # mostly white: small anyway, and quick to write
GAP = 5.0  # between a dot and its label
FONTS = ("DejaVu Sans",)  # shipped with matplotlib: Latin, Greek, Cyrillic, Hebrew, Arabic...
FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Measure = Callable[[str, float, bool], tuple[float, float]]  # text, size, bold -> w, h


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    ha: str  # left, right or center (always centred vertically)
    box: Box
    size: float
    bold: bool = False
    colour: str = "#222222"
    leader: tuple[float, float] | None = None  # the dot a label placed away from it points to


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    colour: str
    marker: str


@dataclass
class Layout:
    """Everything the picture draws, and where."""

    member: str
    title: str
    dots: list[Dot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    spokes: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)
    rings: list[float] = field(default_factory=list)


def layout(member_name: str, advisors: Sequence[PictureAdvisor], measure: Measure) -> Layout:
    """Where each dot and label goes: sectors by origin clockwise from the top, rings by
    closeness; sector names first, then each advisor's name, then the rings' names where
    there is room, each where it overlaps nothing placed before it."""
    member = short_name(drawable(member_name) or "You", 22)
    count = len(advisors)
    title = f"{whose_board(member)}: {count} advisor{'s' * (count != 1)}"
    drawn = Layout(member, title if advisors else f"{whose_board(member)} has no advisors yet")
    cx, cy = CENTRE
    w, h = measure(member, MEMBER_SIZE, True)
    taken: list[Box] = [
        _box_at(cx, cy, w + 24, h + 20, "center"),  # with the box round it
        (0, TITLE_Y - 16, WIDTH, HEIGHT),
    ]
    groups = sectors(advisors)
    gap = 0.6 if len(groups) > 1 else 0.0  # between sectors, in slots
    slot = 360.0 / (count + gap * len(groups)) if advisors else 0.0
    start = 90.0 - gap * slot / 2 if gap else 90.0 + slot / 2  # one sector: the first on top
    places, spans = [], []
    for origin, members in groups:
        if len(groups) > 1:
            drawn.spokes.append(_spoke(start + gap * slot / 2))
        for i, advisor in enumerate(members):
            theta = start - (i + 0.5) * slot
            r = RADII[closeness_of(advisor)]
            places.append(
                (advisor, theta, cx + r * cos(radians(theta)), cy + r * sin(radians(theta)))
            )
        spans.append((f"{ORIGINS[origin]} · {len(members)}", start, start - len(members) * slot))
        start -= (len(members) + gap) * slot
    for advisor, _, x, y in places:
        colour = SUPPORT_KINDS[support_kind(advisor.support)][0]
        marker = SHAPES.get(advisor.relationship, SHAPES[RelationshipKind.OTHER])[0]
        drawn.dots.append(Dot(x, y, colour, marker))
        taken.append((x - DOT - 2, y - DOT - 2, x + DOT + 2, y + DOT + 2))
    for text, first, last in spans:
        drawn.labels.append(_sector_label(text, (first, last), measure, taken))
    for n, (advisor, theta, x, y) in enumerate(places, 1):
        text = short_name(drawable(advisor.name) or f"Advisor {n}")
        drawn.labels.append(_name_label(text, theta, x, y, measure, taken))
    if not advisors:
        w, h = measure(EMPTY, NAME_SIZE, False)
        box = _box_at(cx, cy + RADII[None], w, h, "center")  # above the rings
        drawn.labels.append(Label(EMPTY, cx, (box[1] + box[3]) / 2, "center", box, NAME_SIZE))
        taken.append(box)
    used = {closeness_of(a) for a in advisors} | {4, 3, 2, 1}
    drawn.rings = [r for closeness, r in RADII.items() if closeness in used]
    for closeness, r in RADII.items():
        ring = _ring_label(RINGS[closeness], r, measure, taken) if closeness in used else None
        if ring:
            drawn.labels.append(ring)
    return drawn


def _spoke(angle: float) -> tuple[tuple[float, float], tuple[float, float]]:
    cx, cy = CENTRE
    c, s = cos(radians(angle)), sin(radians(angle))
    inner, outer = 45.0, RADII[None] + 15
    return ((cx + inner * c, cy + inner * s), (cx + outer * c, cy + outer * s))


def _box_at(x: float, y: float, w: float, h: float, ha: str) -> Box:
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
    return (x0, y - h / 2, x0 + w, y + h / 2)


def _inside(x: float, w: float, ha: str) -> float:
    """x moved so that a label anchored there stays on the canvas."""
    x0 = _box_at(x, 0, w, 0, ha)[0]
    return x + max(0.0, 4 - x0) - max(0.0, x0 + w - (WIDTH - 4))


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _off_canvas(box: Box) -> float:
    """How far a box goes off the canvas or into the legend's band."""
    x0, y0, x1, y1 = box
    return max(0, -x0) + max(0, x1 - WIDTH) + max(0, LEGEND_TOP - y0) + max(0, y1 - HEIGHT)


def _first_free(candidates, w: float, h: float, taken: list[Box]) -> tuple:
    """The first candidate (x, y, ha) whose box overlaps nothing taken, else the least bad;
    the box it takes is added to `taken`."""
    best, best_cost = None, float("inf")
    for x, y, ha in candidates:
        x = _inside(x, w, ha)
        box = _box_at(x, y, w, h, ha)
        cost = sum(_overlap(box, other) for other in taken) + 1000 * _off_canvas(box)
        if cost < best_cost:
            best, best_cost = (x, y, ha, box), cost
        if cost == 0:
            break
    taken.append(best[3])
    return best


def _name_label(text, theta, x, y, measure: Measure, taken: list[Box]) -> Label:
    """Beside its dot on the outer side, else staggered up and down, else on the inner side."""
    w, h = measure(text, NAME_SIZE, False)
    c, s = cos(radians(theta)), sin(radians(theta))
    right, left = (x + DOT + GAP, y, "left"), (x - DOT - GAP, y, "right")
    if abs(c) > 0.35:
        sides = [right, left] if c > 0 else [left, right]
    else:  # near the top or the bottom: above or below it, then beside it
        out = 1 if s > 0 else -1
        above = (x, y + out * (DOT + GAP / 2 + h / 2), "center")
        below = (x, y - out * (DOT + GAP / 2 + h / 2), "center")
        sides = [above, below, right, left]
    steps = (0.0, 0.75, -0.75, 1.5, -1.5, 2.25, -2.25, 3.0, -3.0, 3.75, -3.75, 4.5, -4.5)
    candidates = [(sx, sy + k * h, ha) for sx, sy, ha in sides for k in steps]
    lx, ly, ha, box = _first_free(candidates, w, h, taken)
    far = (box[0] - DOT - GAP - 1 > x or box[2] + DOT + GAP + 1 < x) or not (
        box[1] - DOT - GAP - 1 <= y <= box[3] + DOT + GAP + 1
    )
    return Label(text, lx, ly, ha, box, NAME_SIZE, leader=(x, y) if far else None)


def _sector_label(text, span: tuple[float, float], measure: Measure, taken: list[Box]) -> Label:
    """Outside the outer ring, within its sector's angles, pushed out when it meets another."""
    w, h = measure(text, SECTOR_SIZE, True)
    cx, cy = CENTRE
    first, last = span
    middle = (first + last) / 2
    angles = [middle + f * (first - last) / 2 for f in (0, 0.4, -0.4, 0.8, -0.8)]
    candidates = []
    for extra in (0, 1, 2):
        for angle in angles:
            a = radians(angle)
            r = RADII[None] + 22 + extra * h
            ha = "left" if cos(a) > 0.3 else "right" if cos(a) < -0.3 else "center"
            candidates.append((cx + r * cos(a), cy + r * sin(a), ha))
    x, y, ha, box = _first_free(candidates, w, h, taken)
    return Label(text, x, y, ha, box, SECTOR_SIZE, bold=True, colour="#555555")


def _ring_label(text, r, measure: Measure, taken: list[Box]) -> Label | None:
    """On the ring itself, where it is free of dots and names (from the bottom round); left out
    when there is no room (the legend says what the rings are)."""
    w, h = measure(text, RING_SIZE, False)
    cx, cy = CENTRE
    for turn in range(0, 180, 5):
        for angle in {270 + turn, 270 - turn}:
            a = radians(angle)
            box = _box_at(cx + r * cos(a), cy + r * sin(a), w, h, "center")
            if _off_canvas(box) == 0 and not any(_overlap(box, other) for other in taken):
                taken.append(box)
                x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                return Label(text, x, y, "center", box, RING_SIZE, colour="#8A8A8A")
    return None


# --- fonts: what they can draw, and how wide a text is


@dataclass(frozen=True)
class Face:
    """One family's regular and bold faces (sized 72 pt at 72 dpi) and what they can draw."""

    regular: FT2Font
    bold: FT2Font
    covers: frozenset[int]


@dataclass(frozen=True)
class Fonts:
    families: tuple[str, ...]  # DejaVu Sans, then a CJK font when one is installed
    faces: tuple[Face, ...]
    covers: frozenset[int]  # every character some family draws


@cache
def _fonts() -> Fonts:
    installed = {f.name for f in fontManager.ttflist}
    families = (*FONTS, *(f for f in FALLBACK_FONTS if f in installed))
    faces = []
    for family in families:
        pair = []
        for weight in ("normal", "bold"):
            props = FontProperties(family=family, weight=weight)
            face = FT2Font(fontManager.findfont(props, fallback_to_default=False))
            face.set_size(72, 72)
            pair.append(face)
        faces.append(Face(*pair, frozenset(pair[0].get_charmap())))
    return Fonts(families, tuple(faces), frozenset().union(*(f.covers for f in faces)))


_MEASURING = threading.Lock()  # a FreeType face is not to be used by two threads at once


@lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> float:
    """A character's width at 1 pt, 72 dpi (the first family that has it)."""
    for face in _fonts().faces:
        if ord(char) in face.covers:
            with _MEASURING:
                glyph = (face.bold if bold else face.regular).load_char(
                    ord(char), LoadFlags.NO_HINTING
                )
            return glyph.linearHoriAdvance / 65536 / 72
    return 0.6


def text_size(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """A label's width and height in pixels, with a little air round it (widths from the
    font's advances: no shaping, which matters for speed and not for where labels go)."""
    scale = size * DPI / 72
    return sum(_advance(c, bold) for c in text) * scale + 4, 1.25 * scale + 2


def drawable(text: str) -> str | None:
    """The text when the fonts can draw every character of it, else None."""
    covers = _fonts().covers
    ok = all(c.isspace() or ord(c) in covers for c in text)
    return text if ok and text.strip() else None


# --- drawing

_RENDERING = threading.Lock()  # one picture at a time: matplotlib is not made for threads


def render_network(member_name: str, advisors: list[PictureAdvisor]) -> bytes:
    """The picture of the board as PNG bytes (WIDTH x HEIGHT pixels)."""
    drawn = layout(member_name, advisors, text_size)
    out = io.BytesIO()
    with _RENDERING:
        figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(figure)
        try:
            axes = figure.add_axes((0, 0, 1, 1))
            axes.set_xlim(0, WIDTH)
            axes.set_ylim(0, HEIGHT)
            axes.set_axis_off()
            _draw(axes, drawn)
            figure.savefig(
                out, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs=PNG_OPTIONS
            )
        finally:  # free the pixels and the artists now, not when the cyclic collector runs:
            figure.clear()  # the process stays about 50 MB smaller (bench/README.md)
            canvas.renderer = None
    return out.getvalue()


@cache
def _font(size: float, bold: bool) -> FontProperties:
    families = list(_fonts().families)
    return FontProperties(family=families, size=size, weight="bold" if bold else "normal")


def _write(axes, x, y, text, size, *, bold=False, ha="center", colour="#222222", **more) -> None:
    axes.text(
        x,
        y,
        text,
        ha=ha,
        va="center_baseline",
        color=colour,
        fontproperties=_font(size, bold),
        **more,
    )


def _draw(axes, drawn: Layout) -> None:
    cx, cy = CENTRE
    for r in drawn.rings:
        axes.add_patch(Circle((cx, cy), r, fill=False, lw=0.8, ec="#DDDDDD", zorder=1))
    if drawn.spokes:
        axes.add_collection(LineCollection(drawn.spokes, colors="#E6E6E6", lw=1, zorder=1))
    leaders = [(lb.leader, _nearest(lb.box, lb.leader)) for lb in drawn.labels if lb.leader]
    if leaders:
        axes.add_collection(LineCollection(leaders, colors="#BBBBBB", lw=0.6, zorder=2))
    you = {"boxstyle": "round,pad=0.6", "fc": "#F2F2F2", "ec": "#333333", "lw": 1.5}
    _write(axes, cx, cy, drawn.member, MEMBER_SIZE, bold=True, zorder=5, bbox=you)
    for label in drawn.labels:
        _write(
            axes,
            label.x,
            label.y,
            label.text,
            label.size,
            bold=label.bold,
            ha=label.ha,
            colour=label.colour,
            zorder=6,
        )
    _write(axes, WIDTH / 2, TITLE_Y, drawn.title, TITLE_SIZE, bold=True)
    _dots(axes, [*drawn.dots, *_legend(axes)])


def _dots(axes, dots: list[Dot]) -> None:
    """All the dots, one scatter per shape (each scatter costs more than its dots)."""
    by_marker: dict[str, list[Dot]] = {}
    for dot in dots:
        by_marker.setdefault(dot.marker, []).append(dot)
    for marker, same in by_marker.items():
        axes.scatter(
            [d.x for d in same],
            [d.y for d in same],
            s=(2 * DOT * 72 / DPI) ** 2,  # points squared
            c=[d.colour for d in same],
            marker=marker,
            edgecolors="white",
            linewidths=1,
            zorder=3,
        )


def _nearest(box: Box, point: tuple[float, float]) -> tuple[float, float]:
    x, y = point
    return (min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3]))


def _legend(axes) -> list[Dot]:
    """Two rows of keys (colour: the support given; shape: seniority) and a line on the rings,
    as plain texts and dots (returned, to be drawn with the others: matplotlib's own legend
    costs more than the whole network)."""
    dots = []
    rows = [
        (80.0, [("o", colour, label) for colour, label in SUPPORT_KINDS.values()]),
        (55.0, [(marker, "#6B6B6B", label) for marker, label in SHAPES.values()]),
    ]
    for y, keys in rows:
        widths = [2 * DOT + GAP + text_size(label, NAME_SIZE)[0] + 14 for *_, label in keys]
        x = (WIDTH - sum(widths)) / 2
        for (marker, colour, label), width in zip(keys, widths, strict=True):
            dots.append(Dot(x + DOT, y, colour, marker))
            _write(axes, x + 2 * DOT + GAP, y, label, NAME_SIZE, ha="left")
            x += width
    note = (
        "Rings: very close nearest the centre, then close, friendly and acquaintance; "
        "closeness not said outermost."
    )
    _write(axes, WIDTH / 2, 28, note, RING_SIZE, colour="#777777")
    return dots
