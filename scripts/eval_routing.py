"""Measure the routing rules against labelled items (accepted items only).

    python scripts/eval_routing.py [FILE] [--verbose]

FILE defaults to ../shared/samples/pakn-dev.jsonl. Prints class, kind and agency agreement,
how many went to triage, and the confusion (expected agency -> routed agency). Admissibility
is intake's job and is not measured here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.router.domain.agencies import AgencyRegistry, load_agencies  # noqa: E402
from services.router.domain.classify import RoutingDecision, RoutingInput, route  # noqa: E402
from services.router.domain.rules import RuleSet, load_rules  # noqa: E402

DEFAULT_SAMPLES = ROOT.parent / "shared" / "samples" / "pakn-dev.jsonl"


@dataclass(frozen=True)
class Labelled:
    id: str
    item: RoutingInput
    case_class: str
    kind: str
    agency: str


@dataclass
class Figures:
    total: int = 0
    class_ok: int = 0
    kind_ok: int = 0
    agency_ok: int = 0
    triaged: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[Labelled, RoutingDecision]] = field(default_factory=list)

    def rate(self, hits: int) -> float:
        return hits / self.total if self.total else 0.0


def load_samples(path: Path) -> list[Labelled]:
    """The accepted items of a labelled JSONL file, as routing inputs."""
    labelled = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        expected = raw["expected"]
        if not expected.get("accepted"):
            continue
        labelled.append(
            Labelled(
                id=raw.get("id", ""),
                item=_routing_input(raw),
                case_class=expected["class"],
                kind=expected["kind"],
                agency=expected["agency"],
            )
        )
    return labelled


def _routing_input(raw: dict[str, str]) -> RoutingInput:
    return RoutingInput(
        title=raw.get("title") or "",
        content=raw.get("content") or "",
        address=raw.get("address") or "",
        regulation=raw.get("regulation") or "",
        submitter_type=raw.get("submitter_type") or "individual",
        channel=raw.get("channel") or "web",
        received_on=_received_on(raw.get("received_at", "")),
    )


def _received_on(value: str) -> date:
    # The local date of receipt; the samples carry +07:00 offsets already.
    return datetime.fromisoformat(value).date() if value else date.today()


def evaluate(samples: list[Labelled], *, rules: RuleSet, agencies: AgencyRegistry) -> Figures:
    figures = Figures()
    for sample in samples:
        decision = route(sample.item, rules=rules, agencies=agencies)
        figures.total += 1
        figures.class_ok += decision.case_class == sample.case_class
        figures.kind_ok += decision.kind == sample.kind
        figures.agency_ok += decision.agency == sample.agency
        figures.triaged += decision.agency == "TRIAGE"
        if decision.agency != sample.agency:
            figures.confusion[(sample.agency, decision.agency)] += 1
        if (decision.agency, decision.case_class, decision.kind) != (
            sample.agency,
            sample.case_class,
            sample.kind,
        ):
            figures.misses.append((sample, decision))
    return figures


def report(figures: Figures, *, verbose: bool) -> str:
    lines = [
        f"accepted items: {figures.total}",
        f"agency agreement: {figures.agency_ok}/{figures.total} = {figures.rate(figures.agency_ok):.1%}"
        f" (triage: {figures.triaged})",
        f"class agreement:  {figures.class_ok}/{figures.total} = {figures.rate(figures.class_ok):.1%}",
        f"kind agreement:   {figures.kind_ok}/{figures.total} = {figures.rate(figures.kind_ok):.1%}",
        "confusion (expected -> routed):",
    ]
    lines += [f"  {exp} -> {got}: {n}" for (exp, got), n in figures.confusion.most_common()]
    for sample, decision in figures.misses:
        lines.append(
            f"- {sample.id}: expected {sample.agency}/{sample.case_class}/{sample.kind}, got "
            f"{decision.agency}/{decision.case_class}/{decision.kind} "
            f"(suggested {decision.suggested_agency}, {decision.confidence:.2f}, {decision.rule_id})"
        )
        if verbose:
            lines += [f"    {reason}" for reason in decision.reasons]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_SAMPLES)
    parser.add_argument("--verbose", action="store_true", help="print the reasons of misses")
    args = parser.parse_args(argv)
    figures = evaluate(load_samples(args.file), rules=load_rules(), agencies=load_agencies())
    print(report(figures, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
