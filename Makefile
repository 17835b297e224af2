# The two commands the README leads with:
#   make lab   - create .venv (if needed) and open JupyterLab on notebooks/ (127.0.0.1, token on)
#   make test  - create .venv (if needed) and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab app test venv lint bench clean site serve-site

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	UV_COMPILE_BYTECODE=1 $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $(STAMP)

# JupyterLab defaults shipped with the environment (no "official Jupyter news?" prompt, no news or
# update request): the application settings directory of this venv's JupyterLab reads overrides.json
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): tools/lab-settings/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp tools/lab-settings/overrides.json $@

venv: $(STAMP) $(LAB_SETTINGS)

# root (containers, CI boxes) must say so explicitly to Jupyter; the token stays on either way
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# the stepper alone, as a Voila app (for lecturers who want only the widget): http://127.0.0.1:8866/
app: $(STAMP)
	$(BIN)/voila notebooks/stepper.ipynb --no-browser --Voila.ip=127.0.0.1

test: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/ruff check ext4io_teach tests benchmarks tools
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-current-env tests notebooks

# the zero-install JupyterLite site (README "Open in the browser"): build into site/, serve on 127.0.0.1:8000
site: $(STAMP)
	$(BIN)/python tools/site/build_site.py --out site

serve-site:
	$(BIN)/python tools/site/serve.py --dir site --port 8000

lint: $(STAMP)
	$(BIN)/ruff check ext4io_teach tests benchmarks tools

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build site *.egg-info
