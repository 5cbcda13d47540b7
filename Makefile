# Two commands for a fresh clone:  `make run` (start the service)  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,scale]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/repstride serve

test: $(STAMP)
	@# the report test renders HTML in headless Chromium (Debian package; we are root in CI)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the report's browser test will skip (fails in CI)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .cache
