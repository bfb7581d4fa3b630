"""Requirements from a profile file (YAML) overlaid with command-line flags (flags win)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, Problem, UsageError, validation_message


def requirements_from(profile: Path | None, flags: dict[str, Any]):
    from pydantic import ValidationError

    from ..core.parse import tokens
    from .requirements import Requirements

    data: dict[str, Any] = {}
    text = ""
    if profile is not None:
        from ..core.yamlio import YamlProblem, load_file

        if not profile.is_file():
            raise UsageError(f"profile {profile} does not exist")
        try:
            loaded, text = load_file(profile)
        except YamlProblem as exc:
            raise UsageError(str(exc.problem)) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise UsageError(f"{profile}: a profile must be a mapping of requirement fields")
        data = dict(loaded or {})
        for key in ("context", "min_context"):
            if isinstance(data.get(key), str):
                data[key] = tokens(data[key], key)
    data.update({key: value for key, value in flags.items() if value is not None})
    try:
        return Requirements.model_validate(data)
    except ValidationError as exc:
        from ..core.yamlio import line_of

        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            name = ".".join(str(p) for p in loc)
            message = validation_message(error, list(Requirements.model_fields))
            from_flag = loc and loc[0] in flags and flags[loc[0]] is not None
            where = "command line" if from_flag or profile is None else str(profile)
            line = None if from_flag or profile is None else line_of(text, loc)
            problems.append(Problem(where, line, name, message))
        if len(problems) == 1:
            raise UsageError(str(problems[0])) from None
        raise ConfigError(problems, "the requirements") from None

