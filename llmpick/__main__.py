"""Entry point for `llmpick` and `python -m llmpick`; `--version` answers before the CLI is imported."""

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from llmpick import __version__

        print(f"llmpick {__version__}")
        return
    from llmpick.cli import run

    run()


if __name__ == "__main__":
    main()
