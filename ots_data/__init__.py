"""The library behind the steps in scripts/: the schema, the count parser, validation, the build,
the metadata, the docs, releases and serving. `pip install -e .` (done by `make setup`) makes it
importable, so the steps and the tests import it by name."""
