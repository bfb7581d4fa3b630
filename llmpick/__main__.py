from llmpick.cli import run

run()
