"""The least a command costs on llmpick's fixed stack: a one-command typer app with a few typed options that prints
a two-row rich table. benchmarks/run.py times it next to `llmpick recommend`, so that the part of recommend's time
that is llmpick's own (its modules, the catalog, the advice, its table) is the difference between the two.

Run as: python benchmarks/minimal_cli.py --vram 12 --commercial
"""

from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def recommend(vram: Annotated[float | None, typer.Option()] = None,
              commercial: Annotated[bool, typer.Option()] = False,
              lang: Annotated[list[str] | None, typer.Option()] = None,
              task: Annotated[str | None, typer.Option()] = None,
              top: Annotated[int, typer.Option()] = 10) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("#", "Model", "Memory")
    table.add_row("1", "a-model", f"{(vram or 0) / 2:.1f} GiB")
    table.add_row("2", "another-model", f"{(vram or 0) / 3:.1f} GiB")
    Console().print(table)


if __name__ == "__main__":
    app()
