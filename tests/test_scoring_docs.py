"""docs/scoring.md's worked examples are real output: each command is run and every line, table row and number the
example shows is checked against what `llmpick recommend ... --explain` prints today."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import run

DOC = Path(__file__).resolve().parent.parent / "docs" / "scoring.md"
ELIDED = "…"
COMPONENT_LINE = re.compile(r"^    (\w+)\s+(-?\d+\.\d+) x (\d+\.\d+): ")
SCORE_LINE = re.compile(r"^#1 (\S+): score (-?\d+\.\d+)$")
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.]*\d)")
REFRESH = ("docs/scoring.md is stale: {what}.\nRun `llmpick {command}` and copy the lines into the example "
           "(and its table and prose) again.")


def examples() -> list[tuple[str, str]]:
    """(title, body) of each worked example."""
    text = DOC.read_text(encoding="utf-8")
    assert "## Worked examples" in text, "docs/scoring.md has no '## Worked examples' section"
    section = text.split("## Worked examples", 1)[1].split("\n## ", 1)[0]
    found = [(part.split("\n", 1)[0].strip(), part) for part in section.split("\n### ")[1:]]
    assert len(found) >= 2, "docs/scoring.md should have two worked examples"
    return found


def parts(body: str) -> tuple[str, list[str], list[list[str]], str]:
    """The command, the console lines, the table rows (cells) and the prose of one example."""
    block = re.search(r"```console\n(.+?)\n```", body, re.S)
    assert block, "a worked example has no ```console block"
    lines = block.group(1).splitlines()
    assert lines[0].startswith("$ llmpick "), f"the console block should start with '$ llmpick ...': {lines[0]!r}"
    rest = body[block.end():]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in rest.splitlines() if line.startswith("|") and not line.startswith("|---")]
    prose = "\n".join(line for line in rest.splitlines() if not line.startswith("|"))
    return lines[0][len("$ llmpick "):], lines[1:], rows[1:], prose  # rows[0] is the header


def components(lines: list[str]) -> tuple[str, str, dict[str, tuple[str, str]]]:
    """The top pick's id, its printed score and its component lines (points, weight) as printed."""
    score = next((SCORE_LINE.match(line) for line in lines if SCORE_LINE.match(line)), None)
    assert score, "no '#1 MODEL: score S' line"
    found: dict[str, tuple[str, str]] = {}
    for line in lines[lines.index(score.group(0)) + 1:]:
        if line.startswith("#"):
            break
        match = COMPONENT_LINE.match(line)
        if match:
            found[match.group(1)] = (match.group(2), match.group(3))
    return score.group(1), score.group(2), found


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    cache: dict[str, str] = {}
    for _, body in examples():
        command = parts(body)[0]
        result = run(*shlex.split(command))
        assert result.exit_code == 0, f"`llmpick {command}` failed:\n{result.output}"
        cache[command] = result.stdout
    return cache


@pytest.mark.parametrize("title", [title for title, _ in examples()])
def test_worked_example_lines_are_the_real_output(title, outputs):
    body = dict(examples())[title]
    command, lines, _, _ = parts(body)
    real = [line.rstrip() for line in outputs[command].splitlines()]
    position = 0
    for line in lines:
        if line.strip() == ELIDED:
            continue
        if line.endswith(ELIDED):
            prefix = line[:-len(ELIDED)].rstrip()
            hits = [i for i, out in enumerate(real) if i >= position and out.startswith(prefix)]
        else:
            hits = [i for i, out in enumerate(real) if i >= position and out == line.rstrip()]
        assert hits, REFRESH.format(what=f"in '{title}', this line is not in the output (in this order):\n  {line}",
                                    command=command)
        position = hits[0] + 1


@pytest.mark.parametrize("title", [title for title, _ in examples()])
def test_worked_example_table_adds_up(title, outputs):
    """The table repeats the top pick's components as --explain prints them, and sums to its score."""
    body = dict(examples())[title]
    command, lines, rows, prose = parts(body)
    model, score, printed = components(lines)
    _, real_score, real = components([line.rstrip() for line in outputs[command].splitlines()])
    stale = lambda what: REFRESH.format(what=f"in '{title}', {what}", command=command)  # noqa: E731
    assert score == real_score, stale(f"{model} scores {real_score}, not {score}")
    assert set(printed) == set(real), stale(f"the components are {sorted(real)}, not {sorted(printed)}")
    assert rows, stale("the example has no table of components")
    *parts_rows, total = rows
    assert {row[0] for row in parts_rows} == set(real), stale("the table should list every component once")
    weighted_sum = 0.0
    for name, points, weight, weighted in parts_rows:
        assert (points, weight) == real[name], stale(f"{name} is {real[name][0]} x {real[name][1]}, "
                                                     f"not {points} x {weight}")
        assert float(weighted) == pytest.approx(float(points) * float(weight), abs=0.006), \
            stale(f"{name}: {points} x {weight} is not {weighted}")
        weighted_sum += float(weighted)
    assert total[-1].strip("*") == real_score, stale(f"the table's total should be the score {real_score}")
    assert weighted_sum == pytest.approx(float(real_score), abs=0.005 * len(parts_rows)), \
        stale(f"the weighted points add up to {weighted_sum:.2f}, far from the score {real_score}")

    # every decimal number the prose quotes (a cost without its sign) is in the output, the table or the table's sum
    known = {n.lstrip("-") for n in [*NUMBER.findall(outputs[command]), *(cell for row in rows for cell in row),
                                     total[-1].strip("*"), f"{weighted_sum:.2f}"]}
    for number in NUMBER.findall(prose):
        assert number.lstrip("-") in known, stale(f"the prose quotes {number}, which the output does not show")


def test_the_doc_states_the_code_constants():
    """The constants the doc quotes are the code's."""
    from llmpick.advice import scoring, weights
    from llmpick.catalog import quality

    text = " ".join(DOC.read_text(encoding="utf-8").split())  # line breaks as spaces
    for quoted in (f"`POINTS_PER_PPL` = {scoring.POINTS_PER_PPL:g}", f"`SPEED_PENALTY` = {scoring.SPEED_PENALTY:g}",
                   f"`TARGET_TOKENS_PER_S` = {scoring.TARGET_TOKENS_PER_S:g}",
                   f"`CPU_BANDWIDTH_GBS` = **{scoring.CPU_BANDWIDTH_GBS:g} GB/s**",
                   f"`TASK_EMPHASIS` = {quality.TASK_EMPHASIS:g}×",
                   f"`UNREAD_FOCUS_ERROR` = {quality.UNREAD_FOCUS_ERROR:g}",
                   f"**{quality.INDEX_MEAN:g} + {quality.INDEX_SD:g} q**", f"`RIDGE` | {quality.RIDGE:g} |",
                   f"`MIN_MODELS_PER_ITEM` | {quality.MIN_MODELS_PER_ITEM} |", f"`FIT_MODELS` | {quality.FIT_MODELS} |",
                   f"`NOISE_FLOOR` | {quality.NOISE_FLOOR:g} |", f"`ITERATIONS` | {quality.ITERATIONS} |",
                   f"weighs **{quality.EVALUATOR_WEIGHT['independent']:.1f}**",
                   f"a `publisher`'s own figure **{quality.EVALUATOR_WEIGHT['publisher']:.1f}**"):
        assert quoted in text, f"docs/scoring.md should say {quoted!r}"
    loss_rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 3:
            for name in re.split(r",\s*(?:and\s+)?", cells[0]):
                loss_rows[name] = cells[2]
    for quant, loss in scoring.QUANT_LOSS.items():
        assert quant in loss_rows, f"docs/scoring.md's loss table has no row for {quant}"
        assert loss_rows[quant] in (f"{loss:.2f}", "0" if loss == 0 else None), \
            f"docs/scoring.md's loss table says {quant} loses {loss_rows[quant]}; the code says {loss:.2f} points"
    for name, weight in weights.DEFAULT_WEIGHTS.items():
        assert weight == (0.0 if name in ("context", "uncertainty") else 1.0), \
            f"docs/scoring.md says every default weight is 1 except context and uncertainty, 0; {name} is {weight:g}"
